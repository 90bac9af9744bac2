"""One Terraform stack per environment and region (`prod-ap-northeast-1`)."""

from __future__ import annotations

from collections.abc import Sequence

from core.clientsetup import endpoints, target
from core.framework import (
    CloudBackend,
    Construct,
    LocalBackend,
    NamedCloudWorkspace,
    S3Backend,
    TerraformOutput,
    TerraformStack,
    aws,
)
from core.models import Environment
from core.naming import escape_tags, stack_name, state_key
from core.topology import inbound
from modules.codeartifact import CodeArtifactDomain
from modules.ecr import EcrRegistry, EcrRepositories
from modules.kms import KmsKey
from modules.s3 import ArtifactBucket


class RegionStack(TerraformStack):
    """Everything one environment places in one region of its account."""

    def __init__(
        self,
        scope: Construct,
        *,
        env: Environment,
        region: str,
        all_envs: Sequence[Environment],
    ) -> None:
        self.stack_name = stack_name(env, region)
        super().__init__(scope, self.stack_name)
        self.env = env
        self.region = region
        self.primary = region == env.primary_region
        self._providers: dict[str, aws.AwsProvider] = {}
        self.provider_for(region)
        self.add_override("terraform.required_providers.aws.source", "hashicorp/aws")
        self.add_override("terraform.required_providers.aws.version", env.aws_provider_version)
        self._backend()

        ecr_key = KmsKey(
            self,
            "ecr-key",
            env=env,
            purpose=f"ecr-{region}",
            description=f"ECR images of {env.name} in {region}",
        )
        repositories = EcrRepositories(
            self,
            "ecr",
            env=env,
            region=region,
            repositories=env.ecr.repositories if self.primary else (),
            key_arn=ecr_key.key_arn,
        )
        if env.ecr.registry is not None:
            EcrRegistry(
                self,
                "registry",
                env=env,
                region=region,
                key_arn=ecr_key.key_arn,
                inbound=inbound(all_envs, env, region),
            )

        artifacts = None
        if self.primary and env.artifact_bucket is not None:
            replication = env.artifact_bucket.replication
            artifacts = ArtifactBucket(
                self,
                "artifacts",
                env=env,
                settings=env.artifact_bucket,
                replica_provider=self.provider_for(replication.region) if replication else None,
            )

        TerraformOutput(self, "registry_id", value=env.account_id, description="ECR registry ID")
        TerraformOutput(self, "ecr_key_arn", value=ecr_key.key_arn)
        if repositories.repository_urls:
            TerraformOutput(
                self,
                "repository_urls",
                value=repositories.repository_urls,
                description="Repository name -> URL",
            )
            TerraformOutput(
                self,
                "repository_arns",
                value=repositories.repository_arns,
                description="Repository name -> ARN",
            )

        if artifacts is not None:
            TerraformOutput(self, "artifact_bucket_name", value=artifacts.bucket_name)
            TerraformOutput(self, "artifact_bucket_arn", value=artifacts.bucket_arn)
            TerraformOutput(self, "artifact_key_arn", value=artifacts.key_arn)
            if artifacts.replica_bucket_arn is not None:
                TerraformOutput(self, "artifact_replica_bucket_arn", value=artifacts.replica_bucket_arn)
                TerraformOutput(self, "artifact_replica_key_arn", value=artifacts.replica_key_arn)
        if self.primary and env.codeartifact is not None:
            self._codeartifact(env)

    def _codeartifact(self, env: Environment) -> None:
        settings = env.codeartifact
        assert settings is not None
        key_arn = settings.encryption_key_arn
        if key_arn is None:
            key_arn = KmsKey(
                self,
                "codeartifact-key",
                env=env,
                purpose="codeartifact",
                description=f"CodeArtifact domain {settings.domain} of {env.name}",
            ).key_arn
        domain = CodeArtifactDomain(self, "codeartifact", env=env, settings=settings, key_arn=key_arn)
        TerraformOutput(self, "codeartifact_domain_arn", value=domain.domain_arn)
        TerraformOutput(self, "codeartifact_domain_owner", value=domain.domain_owner)
        TerraformOutput(
            self,
            "codeartifact_repository_endpoints",
            value={r.name: endpoints(target(env, r.name)) for r in settings.repositories},
            description="Repository name -> package format -> endpoint URL (pypi: pip's index)",
        )

    def provider_for(self, region: str) -> aws.AwsProvider:
        """The stack's provider for `region`; extra regions get aliased providers on first use."""
        if region not in self._providers:
            env = self.env
            alias = None if region == self.region else region
            self._providers[region] = aws.AwsProvider(
                self,
                "aws" if alias is None else f"aws-{region}",
                region=region,
                alias=alias,
                allowed_account_ids=[env.account_id],
                assume_role=[
                    aws.AwsProviderAssumeRole(
                        role_arn=env.deploy_role_arn, session_name=f"cdktf-{self.stack_name}"
                    )
                ]
                if env.deploy_role_arn
                else None,
                default_tags=[aws.AwsProviderDefaultTags(tags=escape_tags(env.default_tags))]
                if env.default_tags
                else None,
            )
        return self._providers[region]

    def _backend(self) -> None:
        backend = self.env.backend
        if backend.type == "local":
            # Terraform runs in <out>/stacks/<stack>/: the state folder sits beside <out>, which
            # is the project root for the default `cdktf.out`. Relative, so output is portable.
            LocalBackend(self, path=f"../../../{backend.directory}/{self.stack_name}.tfstate")
        elif backend.type == "s3":
            S3Backend(
                self,
                bucket=backend.bucket,
                key=state_key(backend.key_prefix, self.stack_name),
                region=backend.region,
                encrypt=True,
                dynamodb_table=backend.dynamodb_table,
                assume_role={"role_arn": backend.role_arn} if backend.role_arn else None,
            )
            if backend.use_lockfile:  # not in cdktf 0.21's S3Backend props (Terraform >= 1.10)
                self.add_override("terraform.backend.s3.use_lockfile", True)
        else:
            CloudBackend(
                self,
                organization=backend.organization,
                hostname=backend.hostname,
                workspaces=NamedCloudWorkspace(f"{backend.workspace_prefix}{self.stack_name}"),
            )
