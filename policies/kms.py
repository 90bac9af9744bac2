"""KMS key policies."""

from __future__ import annotations

from collections.abc import Sequence

from policies.iam import Document, account_root, document, statement

# What another account needs to launch an instance from an AMI encrypted with this key: EBS
# decrypts the snapshot and creates grants for the volumes.
# https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html
LAUNCH_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:CreateGrant",
    "kms:ReEncrypt*",
    "kms:GenerateDataKeyWithoutPlaintext",
)


def organization_id(organization_arn: str) -> str:
    """`arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5` -> `o-a1b2c3d4e5`."""
    return organization_arn.rsplit("/", 1)[1]


def ou_path_pattern(ou_arn: str) -> str:
    """`arn:aws:organizations::111122223333:ou/o-a1b2c3d4e5/ou-ab12-cdef5678` ->
    `o-a1b2c3d4e5/*/ou-ab12-cdef5678/*`: accounts in the OU or its child OUs. The ARN does not name
    the root (`r-…`) between the two, hence the first `*` (an OU ID is unique in its organization).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths
    """
    org, ou = ou_arn.split(":ou/", 1)[1].split("/")
    return f"{org}/*/{ou}/*"


def key_policy(
    account_id: str,
    service_principals: Sequence[str] = (),
    user_accounts: Sequence[str] = (),
    *,
    organization_arns: Sequence[str] = (),
    organizational_unit_arns: Sequence[str] = (),
) -> Document:
    """Account administration through IAM, use by the named AWS services in this account, and
    (`user_accounts`, `organization_arns`, `organizational_unit_arns`) use by other accounts, e.g. to
    launch AMIs shared with them."""
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
                LAUNCH_ACTIONS,
                principals={"AWS": sorted(account_root(a) for a in set(user_accounts))},
            )
        )
    if organization_arns:
        statements.append(
            statement(
                "OrganizationsUseKey",
                LAUNCH_ACTIONS,
                principals={"AWS": "*"},
                conditions={
                    "StringEquals": {
                        "aws:PrincipalOrgID": sorted({organization_id(a) for a in organization_arns})
                    }
                },
            )
        )
    if organizational_unit_arns:
        statements.append(
            statement(
                "OrganizationalUnitsUseKey",
                LAUNCH_ACTIONS,
                principals={"AWS": "*"},
                conditions={
                    "ForAnyValue:StringLike": {
                        "aws:PrincipalOrgPaths": sorted(
                            {ou_path_pattern(a) for a in organizational_unit_arns}
                        )
                    }
                },
            )
        )
    return document(*statements)
