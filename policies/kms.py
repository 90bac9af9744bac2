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
# What a service-linked role needs to publish to an SNS topic encrypted with this key.
# https://docs.aws.amazon.com/imagebuilder/latest/userguide/integ-sns.html#integ-sns-encrypted
PUBLISH_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")


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
    service_linked_roles: Sequence[str] = (),
) -> Document:
    """Account administration through IAM, use by the named AWS services in this account, and
    (`user_accounts`, `organization_arns`, `organizational_unit_arns`) use by other accounts, e.g. to
    launch AMIs shared with them; `service_linked_roles` (role ARNs in this account) may publish to
    SNS topics encrypted with the key."""
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
    if service_linked_roles:
        # Named by condition, not as Principal: KMS refuses a key policy whose principal does not
        # exist yet, and a service creates its service-linked role only when first used.
        statements.append(
            statement(
                "ServiceLinkedRolesPublishEncrypted",
                PUBLISH_ACTIONS,
                principals={"AWS": "*"},
                conditions={
                    "StringEquals": {"aws:PrincipalAccount": account_id},
                    "ArnEquals": {"aws:PrincipalArn": sorted(set(service_linked_roles))},
                },
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
