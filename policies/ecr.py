"""ECR documents: lifecycle policies, repository and registry policies."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from core.models import LifecycleRule, PullAccess
from policies.iam import Document, account_root, aws_principals, document, statement

PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")


def resolve_priorities(rules: Sequence[LifecycleRule]) -> list[int]:
    """Explicit priorities are kept; an omitted one is the previous rule's + 1 (the first is 1)."""
    out: list[int] = []
    for rule in rules:
        out.append(rule.priority if rule.priority is not None else (out[-1] + 1 if out else 1))
    return out


def lifecycle_rule(rule: LifecycleRule, priority: int) -> Document:
    selection: Document = {"tagStatus": rule.tag_status}
    if rule.tag_prefixes:
        selection["tagPrefixList"] = list(rule.tag_prefixes)
    if rule.tag_patterns:
        selection["tagPatternList"] = list(rule.tag_patterns)
    if rule.keep_last is not None:
        selection["countType"] = "imageCountMoreThan"
        selection["countNumber"] = rule.keep_last
    else:
        selection["countType"] = "sinceImagePushed"
        selection["countUnit"] = "days"
        selection["countNumber"] = rule.expire_after_days
    out: Document = {"rulePriority": priority}
    if rule.description:
        out["description"] = rule.description
    out["selection"] = selection
    out["action"] = {"type": "expire"}
    return out


def lifecycle_policy(rules: Sequence[LifecycleRule]) -> Document:
    """The ECR lifecycle policy document for `rules`, ordered by priority."""
    built = [lifecycle_rule(r, p) for r, p in zip(rules, resolve_priorities(rules), strict=True)]
    return {"rules": sorted(built, key=lambda r: r["rulePriority"])}


def find_nulls(value: Any, path: str = "") -> list[str]:
    """Paths of every null in a document (ECR rejects a policy that holds one)."""
    if value is None:
        return [path or "(document)"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in find_nulls(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in find_nulls(v, f"{path}[{i}]")]
    return []


def pull_policy(access: PullAccess) -> Document:
    """Repository policy letting other accounts (or a whole organization) pull."""
    statements: list[Document] = []
    if access.account_ids:
        statements.append(
            statement(
                "CrossAccountPull",
                PULL_ACTIONS,
                None,
                principals=aws_principals(access.account_ids),
            )
        )
    if access.organization_id:
        statements.append(
            statement(
                "OrganizationPull",
                PULL_ACTIONS,
                None,
                principals={"AWS": "*"},
                conditions={"StringEquals": {"aws:PrincipalOrgID": access.organization_id}},
            )
        )
    return document(*statements)


def replication_registry_policy(
    destination_account: str, destination_region: str, source_accounts: Iterable[str]
) -> Document:
    """Registry policy of a destination registry letting source accounts replicate into it."""
    resource = f"arn:aws:ecr:{destination_region}:{destination_account}:repository/*"
    return document(
        statement(
            "AllowReplicationFromSourceAccounts",
            ("ecr:CreateRepository", "ecr:ReplicateImage"),
            [resource],
            principals=aws_principals(source_accounts),
        )
    )


def creation_template_role_policy(key_arn: str) -> Document:
    """What ECR needs to create repositories from a template that uses KMS and tags.

    https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates-custom.html
    """
    return document(
        statement(
            "CreateRepositories",
            ("ecr:CreateRepository", "ecr:ReplicateImage", "ecr:TagResource"),
        ),
        statement("UseTemplateKey", ("kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant"), [key_arn]),
    )


def describe_destination_requirements(source_account: str, dest_account: str, region: str) -> str:
    return (
        f"registry {dest_account}/{region} is not managed by this configuration: its registry "
        f"policy must allow {account_root(source_account)} the actions ecr:CreateRepository and "
        "ecr:ReplicateImage, or replication will fail"
    )


_NAMESPACE = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")


def template_prefix(replication_prefix: str) -> str:
    """The creation-template prefix that covers repositories a replication filter selects.

    A template prefix is a namespace: ECR appends '/' to it ("prod" covers "prod/…", never
    "prod-app"). A filter that names a whole namespace ("team-a/") maps to it; any other filter
    ("prod-") can only be covered by the ROOT template.
    https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html
    """
    namespace = replication_prefix.removesuffix("/")
    if replication_prefix.endswith("/") and _NAMESPACE.fullmatch(namespace):
        return namespace
    return "ROOT"
