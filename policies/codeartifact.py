"""CodeArtifact documents: the domain permissions policy and repository permissions policies.

Resource policies: `Resource: "*"` means the domain or repository the policy is attached to.
https://docs.aws.amazon.com/codeartifact/latest/ug/domain-policies.html
https://docs.aws.amazon.com/codeartifact/latest/ug/repo-policies.html
"""

from __future__ import annotations

from collections.abc import Sequence

from core.models import CodeArtifactAccess
from policies.iam import Document, account_root, document, statement

# What a reader needs at the domain: a token (and the bearer token behind it), and to find repositories.
DOMAIN_READ_ACTIONS = (
    "codeartifact:DescribeDomain",
    "codeartifact:GetAuthorizationToken",
    "codeartifact:GetDomainPermissionsPolicy",
    "codeartifact:ListRepositoriesInDomain",
    "sts:GetServiceBearerToken",
)
REPOSITORY_READ_ACTIONS = (
    "codeartifact:DescribePackageVersion",
    "codeartifact:DescribeRepository",
    "codeartifact:GetPackageVersionReadme",
    "codeartifact:GetRepositoryEndpoint",
    "codeartifact:ListPackageVersionAssets",
    "codeartifact:ListPackageVersionDependencies",
    "codeartifact:ListPackageVersions",
    "codeartifact:ListPackages",
    "codeartifact:ReadFromRepository",
)
REPOSITORY_PUBLISH_ACTIONS = (
    "codeartifact:PublishPackageVersion",
    "codeartifact:PutPackageMetadata",
)


def _principal_statements(sid: str, actions: Sequence[str], access: CodeArtifactAccess) -> list[Document]:
    out: list[Document] = []
    arns = sorted({*(account_root(a) for a in access.account_ids), *access.role_arns})
    if arns:
        out.append(statement(sid, actions, "*", principals={"AWS": arns[0] if len(arns) == 1 else arns}))
    if access.organization_id:
        out.append(
            statement(
                f"{sid}FromOrganization",
                actions,
                "*",
                principals={"AWS": "*"},
                conditions={"StringEquals": {"aws:PrincipalOrgID": access.organization_id}},
            )
        )
    return out


def domain_read_policy(access: CodeArtifactAccess) -> Document:
    """Domain permissions policy: the principals in `access` may get tokens and list repositories."""
    if access.empty:
        raise ValueError("a domain read policy needs at least one principal")
    return document(*_principal_statements("ReadDomain", DOMAIN_READ_ACTIONS, access))


def repository_policy(read: CodeArtifactAccess, publish_role_arns: Sequence[str]) -> Document:
    """Repository permissions policy: readers read; publishers (CI roles) read and publish."""
    statements = _principal_statements("Read", REPOSITORY_READ_ACTIONS, read)
    if publish_role_arns:
        roles = sorted(set(publish_role_arns))
        statements.append(
            statement(
                "Publish",
                (*REPOSITORY_READ_ACTIONS, *REPOSITORY_PUBLISH_ACTIONS),
                "*",
                principals={"AWS": roles[0] if len(roles) == 1 else roles},
            )
        )
    if not statements:
        raise ValueError("a repository policy needs at least one principal")
    return document(*statements)
