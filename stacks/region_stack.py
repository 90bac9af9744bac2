"""One Terraform stack per environment and region (`prod-ap-northeast-1`)."""

from __future__ import annotations

from collections.abc import Sequence

from core.clientsetup import endpoints, formats, target
from core.framework import (
    CloudBackend,
    Construct,
    LocalBackend,
    NamedCloudWorkspace,
    S3Backend,
    TerraformOutput,
    TerraformResource,
    TerraformStack,
    aws,
)
from core.models import Environment
from core.naming import escape_tags, stack_name, state_key
from core.planreview import STATEFUL_TYPES
from core.topology import inbound
from modules.codeartifact import CodeArtifactDomain
from modules.ecr import EcrRegistry, EcrRepositories
from modules.imagebuilder import ImagePipeline
from modules.kms import KmsKey
from modules.s3 import ArtifactBucket
from modules.supply_chain import ImageSigning, ScanFindingsGate


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
        if self.primary and env.image_builder is not None:
            self._image_builder(env)
        if self.primary and env.supply_chain is not None:
            self._supply_chain(env)
        if env.prevent_destroy:
            self._prevent_destroy()

    def _image_builder(self, env: Environment) -> None:
        assert env.image_builder is not None
        images = ImagePipeline(
            self, "imagebuilder", env=env, settings=env.image_builder, provider_for=self.provider_for
        )
        TerraformOutput(self, "image_pipeline_arn", value=images.pipeline_arn)
        TerraformOutput(self, "image_recipe_arn", value=images.recipe_arn)
        TerraformOutput(self, "image_builder_topic_arn", value=images.topic_arn)
        for region, key_arn in images.region_key_arns.items():
            TerraformOutput(
                self,
                f"image_distribution_{region.replace('-', '_')}_key_arn",
                value=key_arn,
                description=f"KMS key of the AMI copies in {region}",
            )

    def _supply_chain(self, env: Environment) -> None:
        settings = env.supply_chain
        assert settings is not None
        if settings.signing is not None:
            signing = ImageSigning(self, "signing", env=env, settings=settings.signing)
            TerraformOutput(self, "signing_profile_arn", value=signing.profile_arn)
            TerraformOutput(self, "signing_policy_arn", value=signing.policy_arn)
            TerraformOutput(self, "notation_sign_command", value=signing.sign_command)
            TerraformOutput(self, "notation_verify_command", value=signing.verify_command)
        if settings.scan_gate is not None:
            scanning = env.ecr.registry.scanning if env.ecr.registry else None
            gate = ScanFindingsGate(
                self,
                "scan-gate",
                env=env,
                settings=settings.scan_gate,
                scanning_type=scanning.type if scanning else None,
            )
            TerraformOutput(self, "scan_findings_topic_arn", value=gate.topic_arn)
            TerraformOutput(self, "blocked_images_table", value=gate.table_name)
            TerraformOutput(self, "scan_gate_dlq_url", value=gate.dlq_url)

    def _prevent_destroy(self) -> None:
        """`lifecycle.prevent_destroy` on every stateful resource (one list: core/planreview.py)."""
        for node in self.node.find_all():
            if isinstance(node, TerraformResource) and node.terraform_resource_type in STATEFUL_TYPES:
                node.add_override("lifecycle.prevent_destroy", True)

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
            value={
                r.name: endpoints(target(env, r.name), formats(settings, r.name))
                for r in settings.repositories
            },
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
