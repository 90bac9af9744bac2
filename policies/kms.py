"""KMS key policies."""

from __future__ import annotations

from collections.abc import Sequence

from policies.iam import Document, account_root, document, statement


def key_policy(account_id: str, service_principals: Sequence[str] = ()) -> Document:
    """Account administration through IAM, plus use by the named AWS services in this account."""
    statements = [
        statement(
            "AccountAdministersKeyThroughIam",
            ("kms:*",),
            principals={"AWS": account_root(account_id)},
        )
    ]
    if service_principals:
        statements.append(
            statement(
                "ServicesInThisAccountUseKey",
                (
                    "kms:Decrypt",
                    "kms:DescribeKey",
                    "kms:Encrypt",
                    "kms:GenerateDataKey*",
                    "kms:ReEncrypt*",
                    "kms:CreateGrant",
                ),
                principals={"Service": sorted(service_principals)},
                conditions={"StringEquals": {"aws:SourceAccount": account_id}},
            )
        )
    return document(*statements)
