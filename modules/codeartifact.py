"""AWS CodeArtifact: one domain (KMS-encrypted), its repositories and permissions policies."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from core.framework import Construct, aws, is_reference
from core.models import CodeArtifact, CodeArtifactRepository, Environment
from core.naming import escape, partition
from policies.codeartifact import domain_read_policy, repository_policy

_KEY_ARN = re.compile(r"arn:aws(?:-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+")


def require_reference(value: str, what: str) -> str:
    """[CA-DOMAIN-REF] `value` must be a Terraform reference (a token), never a literal name."""
    if not is_reference(value):
        raise ValueError(
            f"{what} must reference its resource's attribute so Terraform orders creation, "
            f"got the literal {value!r} [CA-DOMAIN-REF]"
        )
    return value


def require_key_arn(value: str) -> str:
    """[CA-KEY-ARN] a key ARN (a token from a KMS key's `arn`, or a literal key ARN)."""
    if not is_reference(value) and not _KEY_ARN.fullmatch(value):
        raise ValueError(f"the domain key must be a KMS key ARN, got {value!r} [CA-KEY-ARN]")
    return value


def upstream_order(repositories: Sequence[CodeArtifactRepository]) -> list[CodeArtifactRepository]:
    """Repositories with their upstreams first (the config has no cycles: CA-UPSTREAM-CYCLE)."""
    by_name = {r.name: r for r in repositories}
    done: dict[str, CodeArtifactRepository] = {}

    def place(repo: CodeArtifactRepository) -> None:
        if repo.name in done:
            return
        for up in repo.upstreams:
            place(by_name[up])
        done[repo.name] = repo

    for repo in repositories:
        place(repo)
    return list(done.values())


class CodeArtifactDomain(Construct):
    """The domain, its read policy, and every repository with its permissions policy."""

    def __init__(
        self, scope: Construct, id_: str, *, env: Environment, settings: CodeArtifact, key_arn: str
    ) -> None:
        super().__init__(scope, id_)
        domain = aws.CodeartifactDomain(
            self,
            "domain",
            domain=settings.domain,
            encryption_key=require_key_arn(key_arn),
        )
        domain_name = require_reference(domain.domain, "a repository's domain")
        owner = domain.owner
        read_access = settings.read_access
        if not read_access.empty:
            aws.CodeartifactDomainPermissionsPolicy(
                self,
                "domain-policy",
                domain=domain_name,
                domain_owner=owner,
                policy_document=json.dumps(domain_read_policy(read_access)),
            )

        self.repositories: dict[str, aws.CodeartifactRepository] = {}
        # repository -> its `repository` reference, read (a jsii round trip) only for upstreams
        upstreams = {up for repo in settings.repositories for up in repo.upstreams}
        names: dict[str, str] = {}
        for repo in upstream_order(settings.repositories):
            resource = aws.CodeartifactRepository(
                self,
                f"repo-{repo.name}",
                domain=domain_name,
                domain_owner=owner,
                repository=repo.name,
                description=escape(repo.description) if repo.description else None,
                external_connections=aws.CodeartifactRepositoryExternalConnections(
                    external_connection_name=repo.external_connections[0]
                )
                if repo.external_connections
                else None,
                upstream=[
                    aws.CodeartifactRepositoryUpstream(
                        repository_name=require_reference(names[up], f"upstream '{up}'")
                    )
                    for up in repo.upstreams
                ]
                or None,
            )
            self.repositories[repo.name] = resource
            if repo.name in upstreams:
                names[repo.name] = resource.repository
            readers = repo.read_access or read_access
            if not readers.empty or repo.publish_role_arns:
                aws.CodeartifactRepositoryPermissionsPolicy(
                    self,
                    f"repo-{repo.name}-policy",
                    domain=domain_name,
                    domain_owner=owner,
                    repository=repo.name,
                    policy_document=json.dumps(repository_policy(readers, repo.publish_role_arns)),
                    depends_on=[resource],
                )

        self.domain_name: str = settings.domain
        self.domain_arn: str = domain.arn
        self.domain_owner: str = owner
        self.repository_arns: dict[str, str] = {
            name: f"arn:{partition(env.primary_region)}:codeartifact:{env.primary_region}:"
            f"{env.account_id}:repository/{settings.domain}/{name}"
            for name in self.repositories
        }
