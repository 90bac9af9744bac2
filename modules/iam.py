"""IAM roles that AWS services assume: trust, inline policy and managed-policy attachments."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from core.framework import Construct, Fn, aws
from policies.iam import Document, service_trust


def service_role(
    scope: Construct,
    id_: str,
    *,
    name: str,
    description: str,
    service: str,
    policy: Document | None = None,
    policy_name: str | None = None,
    managed_policy_arns: Sequence[str] = (),
) -> tuple[Any, Any]:
    """A role `service` assumes, created in `scope` as `<id_>`, `<id_>-policy` (the inline policy,
    which may hold Terraform tokens) and `<id_>-managed-<n>`; returns (role, inline policy or None)."""
    role = aws.IamRole(
        scope,
        id_,
        name=name,
        description=description,
        assume_role_policy=json.dumps(service_trust(service)),
    )
    inline = None
    if policy is not None:
        inline = aws.IamRolePolicy(
            scope,
            f"{id_}-policy",
            role=role.name,
            name=policy_name or name,
            policy=Fn.jsonencode(policy),
        )
    for i, arn in enumerate(managed_policy_arns):
        aws.IamRolePolicyAttachment(scope, f"{id_}-managed-{i}", role=role.name, policy_arn=arn)
    return role, inline
