"""IAM document builders."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

Document = dict[str, Any]
VERSION = "2012-10-17"


def document(*statements: Document) -> Document:
    return {"Version": VERSION, "Statement": list(statements)}


def statement(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[str] | str | None = "*",
    *,
    effect: str = "Allow",
    principals: Document | None = None,
    conditions: Document | None = None,
) -> Document:
    out: Document = {"Sid": sid, "Effect": effect}
    if principals is not None:
        out["Principal"] = principals
    out["Action"] = sorted(set(actions))
    if resources is not None:  # None: the policy is attached to its resource (repository policy)
        out["Resource"] = resources if isinstance(resources, str) else list(resources)
    if conditions:
        out["Condition"] = conditions
    return out


def account_root(account_id: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account_id}:root"


def service_trust(*services: str, conditions: Document | None = None) -> Document:
    """A role trust policy letting AWS services assume the role."""
    principal = {"Service": sorted(services) if len(services) > 1 else services[0]}
    st: Document = {
        "Sid": "TrustService",
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if conditions:
        st["Condition"] = conditions
    return document(st)


def aws_principals(account_ids: Iterable[str]) -> Document:
    roots = sorted({account_root(a) for a in account_ids})
    return {"AWS": roots[0] if len(roots) == 1 else roots}
