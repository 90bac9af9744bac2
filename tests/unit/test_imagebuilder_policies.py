"""Pure Image Builder builders: component document checks, IAM and key policies."""

from __future__ import annotations

from policies.imagebuilder import document_problems, logs_policy
from policies.kms import key_policy

GOOD = """
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - {name: Install, action: ExecuteBash, inputs: {commands: [echo hi]}}
"""


def test_minimal_document_with_build_phase_passes():
    assert list(document_problems(GOOD)) == []


def test_steps_without_inputs_only_for_actions_whose_inputs_are_optional():
    text = """
schemaVersion: 1.0
phases:
  - name: validate
    steps:
      - {name: Update, action: UpdateOS}
      - {name: Restart, action: Reboot}
      - {name: Run, action: ExecuteBash}
      - {action: Reboot}
"""
    assert list(document_problems(text)) == [
        "phases[0].steps[2] must have inputs (action 'ExecuteBash' has required inputs; only Reboot, "
        "UpdateOS may omit them)",
        "phases[0].steps[3] must have name",
    ]


def test_duplicate_phase_and_step_names_fail():
    text = (
        GOOD
        + "  - name: build\n    steps:\n      - {name: A, action: X, inputs: {}}\n      - {name: A, action: X, inputs: {}}\n"
    )
    problems = list(document_problems(text))
    assert "must define phase 'build' once" in problems
    assert any("used twice" in p for p in problems)


def test_logs_policy_writes_only_under_the_prefix():
    doc = logs_policy("arn:aws:s3:::b", "image-builder/", "arn:key")
    assert doc["Statement"][0]["Resource"] == "arn:aws:s3:::b/image-builder/*"
    assert doc["Statement"][0]["Action"] == ["s3:PutObject"]


def test_key_policy_lets_shared_accounts_use_the_key():
    doc = key_policy("123456789012", user_accounts=["333333333333", "222222222222"])
    [shared] = [s for s in doc["Statement"] if s["Sid"] == "OtherAccountsUseKey"]
    assert shared["Principal"]["AWS"] == ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]
    assert "kms:CreateGrant" in shared["Action"] and "kms:*" not in shared["Action"]


def test_key_policy_lets_organizations_and_ous_use_the_key():
    doc = key_policy(
        "123456789012",
        organization_arns=["arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5"],
        organizational_unit_arns=[
            "arn:aws:organizations::111122223333:ou/o-a1b2c3d4e5/ou-ab12-cdef5678",
            "arn:aws:organizations::111122223333:ou/o-a1b2c3d4e5/ou-ab12-00000000",
        ],
    )
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert set(by_sid) == {
        "AccountAdministersKeyThroughIam",
        "OrganizationsUseKey",
        "OrganizationalUnitsUseKey",
    }
    org, ous = by_sid["OrganizationsUseKey"], by_sid["OrganizationalUnitsUseKey"]
    assert org["Principal"] == ous["Principal"] == {"AWS": "*"}
    assert org["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]}}
    assert ous["Condition"] == {
        "ForAnyValue:StringLike": {
            "aws:PrincipalOrgPaths": [
                "o-a1b2c3d4e5/*/ou-ab12-00000000/*",
                "o-a1b2c3d4e5/*/ou-ab12-cdef5678/*",
            ]
        }
    }
    # the same actions the listed accounts get: what launching an encrypted AMI needs, no more
    shared = key_policy("123456789012", user_accounts=["222222222222"])["Statement"][1]
    assert org["Action"] == ous["Action"] == shared["Action"]
    assert "kms:CreateGrant" in org["Action"] and "kms:*" not in org["Action"]


def test_key_policy_lets_a_service_linked_role_publish_by_condition():
    role = "arn:aws:iam::123456789012:role/aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder"
    doc = key_policy("123456789012", service_linked_roles=[role])
    [st] = [s for s in doc["Statement"] if s["Sid"] == "ServiceLinkedRolesPublishEncrypted"]
    # AWS: the role needs kms:Decrypt and kms:GenerateDataKey* on the topic's key (integ-sns)
    assert st["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    # by condition: a Principal naming a role that does not exist yet would make KMS refuse the policy
    assert st["Principal"] == {"AWS": "*"}
    assert st["Condition"] == {
        "StringEquals": {"aws:PrincipalAccount": "123456789012"},
        "ArnEquals": {"aws:PrincipalArn": [role]},
    }
    assert "ServiceLinkedRolesPublishEncrypted" not in {
        s["Sid"] for s in key_policy("123456789012")["Statement"]
    }
