"""KMS key policies."""

from __future__ import annotations

from collections.abc import Sequence

from policies.iam import Document, account_root, document, statement


def key_policy(
    account_id: str, service_principals: Sequence[str] = (), user_accounts: Sequence[str] = ()
) -> Document:
    """Account administration through IAM, use by the named AWS services in this account, and
    (`user_accounts`) use by other accounts, e.g. to launch AMIs shared with them."""
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
    if user_accounts:
        statements.append(
            statement(
                "OtherAccountsUseKey",
                (
                    "kms:Decrypt",
                    "kms:DescribeKey",
                    "kms:CreateGrant",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKeyWithoutPlaintext",
                ),
                principals={"AWS": sorted(account_root(a) for a in set(user_accounts))},
            )
        )
    return document(*statements)
