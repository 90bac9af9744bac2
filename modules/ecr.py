"""Amazon ECR: repositories, and the registry-level settings of one account and region."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from core.framework import Construct, TerraformIterator, Token, aws
from core.models import Environment, ReplicationRule, Repository
from core.naming import ecr_repository_arn, ecr_repository_url, escape, escape_tags, physical_name
from core.topology import Replication
from modules.iam import service_role
from policies.ecr import (
    creation_template_role_policy,
    lifecycle_policy,
    pull_policy,
    replication_registry_policy,
    template_prefix,
)


def construct_id(name: str) -> str:
    """Stable construct ID for a repository name (`tools/builder` -> `tools--builder`)."""
    return name.replace("/", "--")


class EcrRepositories(Construct):
    """The environment's repositories: KMS-encrypted, immutable tags, lifecycle, pull policy.

    One `for_each` resource per kind, keyed by repository name, rather than one resource per
    repository: the Terraform addresses read `aws_ecr_repository.repositories["prod-api"]` (stable
    while the name is), and the synth does the same few jsii calls for 3 or 3,000 repositories.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        env: Environment,
        region: str,
        repositories: Sequence[Repository],
        key_arn: str,
    ) -> None:
        super().__init__(scope, id_)
        defaults = env.ecr.defaults
        settings: dict[str, dict[str, str | bool]] = {}
        lifecycles: dict[str, str] = {}
        policies: dict[str, str] = {}
        for repo in repositories:
            settings[repo.name] = {
                "image_tag_mutability": repo.image_tag_mutability or defaults.image_tag_mutability,
                "force_delete": repo.force_delete,
            }
            rules = repo.lifecycle if repo.lifecycle is not None else defaults.lifecycle
            if rules:
                lifecycles[repo.name] = escape(json.dumps(lifecycle_policy(rules)))
            access = repo.pull_access or defaults.pull_access
            if access and (access.account_ids or access.organization_id):
                policies[repo.name] = escape(json.dumps(pull_policy(access)))

        self.repository_urls = {
            r.name: ecr_repository_url(env.account_id, region, r.name) for r in repositories
        }
        self.repository_arns = {
            r.name: ecr_repository_arn(env.account_id, region, r.name) for r in repositories
        }
        if not settings:
            return
        each = TerraformIterator.from_map(settings)
        repos = aws.EcrRepository(
            self,
            "repositories",
            for_each=each,
            name=each.key,
            image_tag_mutability=each.get_string("image_tag_mutability"),
            force_delete=each.get_boolean("force_delete"),
            encryption_configuration=[
                aws.EcrRepositoryEncryptionConfiguration(encryption_type="KMS", kms_key=key_arn)
            ],
        )
        # Plain addresses for plan reviews and --allow-destroy: aws_ecr_repository.ecr_repositories["x"]
        repos.override_logical_id(f"{id_}_repositories")
        # `each.key` is the repository name; depends_on orders the policies after the repositories.
        for resource, kind, documents in (
            (aws.EcrLifecyclePolicy, "lifecycle", lifecycles),
            (aws.EcrRepositoryPolicy, "policy", policies),
        ):
            if documents:
                each_document = TerraformIterator.from_map(documents)
                resource(
                    self,
                    kind,
                    for_each=each_document,
                    repository=each_document.key,
                    policy=Token.as_string(each_document.value),
                    depends_on=[repos],
                ).override_logical_id(f"{id_}_{kind}")


@dataclass(frozen=True)
class _Template:
    prefix: str
    applied_for: tuple[str, ...]


class EcrRegistry(Construct):
    """Registry-level settings of the environment's account in one region.

    Scanning in every region; replication and pull-through cache from the primary region; a
    registry policy where other managed accounts replicate in; repository creation templates
    (KMS, lifecycle, immutability) wherever ECR creates repositories on our behalf.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        env: Environment,
        region: str,
        key_arn: str,
        inbound: Sequence[Replication],
    ) -> None:
        super().__init__(scope, id_)
        registry = env.ecr.registry
        assert registry is not None, "EcrRegistry needs ecr.registry"
        primary = region == env.primary_region

        if registry.scanning:
            scan = registry.scanning
            aws.EcrRegistryScanningConfiguration(
                self,
                "scanning",
                scan_type=scan.type,
                rule=[
                    aws.EcrRegistryScanningConfigurationRule(
                        scan_frequency=scan.frequency,
                        repository_filter=[
                            aws.EcrRegistryScanningConfigurationRuleRepositoryFilter(
                                filter=f, filter_type="WILDCARD"
                            )
                            for f in scan.filters
                        ],
                    )
                ],
            )

        if primary and registry.replication:
            aws.EcrReplicationConfiguration(
                self,
                "replication",
                replication_configuration=aws.EcrReplicationConfigurationReplicationConfiguration(
                    rule=[self._replication_rule(env, r) for r in registry.replication]
                ),
            )

        if primary:
            for rule in registry.pull_through_cache:
                aws.EcrPullThroughCacheRule(
                    self,
                    f"cache-{construct_id(rule.prefix)}",
                    ecr_repository_prefix=rule.prefix,
                    upstream_registry_url=rule.upstream,
                    credential_arn=rule.credential_secret_arn,
                )

        foreign = sorted({r.source_account for r in inbound if r.source_account != env.account_id})
        if foreign:
            aws.EcrRegistryPolicy(
                self,
                "policy",
                policy=json.dumps(replication_registry_policy(env.account_id, region, foreign)),
            )

        templates = self._templates(env, primary, inbound)
        if templates:
            self._creation_templates(env, region, key_arn, templates)

    @staticmethod
    def _replication_rule(
        env: Environment, rule: ReplicationRule
    ) -> aws.EcrReplicationConfigurationReplicationConfigurationRule:
        return aws.EcrReplicationConfigurationReplicationConfigurationRule(
            destination=[
                aws.EcrReplicationConfigurationReplicationConfigurationRuleDestination(
                    region=d.region, registry_id=d.account_id or env.account_id
                )
                for d in rule.destinations
            ],
            repository_filter=[
                aws.EcrReplicationConfigurationReplicationConfigurationRuleRepositoryFilter(
                    filter=p, filter_type="PREFIX_MATCH"
                )
                for p in rule.prefix_filters
            ]
            or None,
        )

    @staticmethod
    def _templates(env: Environment, primary: bool, inbound: Sequence[Replication]) -> list[_Template]:
        uses: dict[str, set[str]] = {}
        for rep in inbound:
            for prefix in rep.prefixes or ("",):
                uses.setdefault(template_prefix(prefix), set()).add("REPLICATION")
        if primary and env.ecr.registry:
            for rule in env.ecr.registry.pull_through_cache:
                uses.setdefault(rule.prefix, set()).add("PULL_THROUGH_CACHE")
        return [_Template(p, tuple(sorted(u))) for p, u in sorted(uses.items())]

    def _creation_templates(
        self, env: Environment, region: str, key_arn: str, templates: Sequence[_Template]
    ) -> None:
        # ECR needs a role of ours to create repositories that use KMS or tags.
        role, _ = service_role(
            self,
            "template-role",
            name=physical_name(env, f"ecr-templates-{region}"),
            description="Lets ECR create replicated and pull-through cache repositories with KMS",
            service="ecr.amazonaws.com",
            policy=creation_template_role_policy(key_arn),
            policy_name="create-repositories",
        )
        rules = env.ecr.defaults.lifecycle
        for template in templates:
            # Cached images are refreshed under the same tag, so those repositories stay MUTABLE.
            mutable = "PULL_THROUGH_CACHE" in template.applied_for
            aws.EcrRepositoryCreationTemplate(
                self,
                f"template-{construct_id(template.prefix)}",
                prefix=template.prefix,
                description=f"Settings for repositories ECR creates under '{template.prefix}'",
                applied_for=list(template.applied_for),
                image_tag_mutability="MUTABLE" if mutable else env.ecr.defaults.image_tag_mutability,
                encryption_configuration=[
                    aws.EcrRepositoryCreationTemplateEncryptionConfiguration(
                        encryption_type="KMS", kms_key=key_arn
                    )
                ],
                lifecycle_policy=json.dumps(lifecycle_policy(rules)) if rules else None,
                resource_tags=escape_tags(env.default_tags) or None,
                custom_role_arn=role.arn,
            )
