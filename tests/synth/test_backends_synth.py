"""Backends and the inbound-replication registry policy, on variants of the reference config.

The reference configuration uses the local backend (dev) and S3 with a lock file (stg, prod). Here
dev moves to HCP Terraform and stg to S3 with a legacy DynamoDB lock table and a state role, and
stg replicates into prod's registry, so prod's stack must own a registry policy letting stg's
account replicate in. One synth of the variant serves every test in this module.
"""

from __future__ import annotations

import json
import shutil

import pytest

from core.tfrun import check_stack, find_provider_mirror
from tests.conftest import CONFIG, resources
from tests.unit.helpers import edit, loads

STATE_ROLE = "arn:aws:iam::222222222222:role/terraform-state"


@pytest.fixture(scope="module")
def variant(tmp_path_factory):
    from core.synth import synthesize

    root = tmp_path_factory.mktemp("backends")
    config_dir = root / "config"
    shutil.copytree(CONFIG, config_dir)
    edit(
        config_dir,
        "dev",
        lambda d: d.update(
            backend={"type": "cloud", "organization": "acme", "workspace_prefix": "artifacts-"}
        ),
    )

    def stg(d):
        d["backend"].update(dynamodb_table="terraform-locks", role_arn=STATE_ROLE)
        d["ecr"]["registry"]["replication"] = [
            {
                "destinations": [{"region": "ap-northeast-1", "account_id": "123456789012"}],
                "prefix_filters": ["my-"],
            }
        ]

    edit(config_dir, "stg", stg)
    project = loads(config_dir)
    synthesize(project.environments, project.environments, root / "out")
    return root, {
        d.name: json.loads((d / "cdk.tf.json").read_text()) for d in (root / "out" / "stacks").iterdir()
    }


def test_cloud_backend_gives_each_stack_its_workspace(variant):
    _, stacks = variant
    cloud = stacks["dev-ap-northeast-1"]["terraform"]["cloud"]
    assert cloud == {
        "hostname": "app.terraform.io",
        "organization": "acme",
        "workspaces": {"name": "artifacts-dev-ap-northeast-1"},
    }
    assert "backend" not in stacks["dev-ap-northeast-1"]["terraform"]


def test_s3_backend_with_dynamodb_lock_table_and_state_role(variant):
    _, stacks = variant
    s3 = stacks["stg-ap-northeast-1"]["terraform"]["backend"]["s3"]
    assert s3["bucket"] == "acme-terraform-state-222222222222"
    assert s3["key"] == "artifact-platform/stg-ap-northeast-1.tfstate"
    assert s3["encrypt"] is True and s3["use_lockfile"] is True  # both locks while teams move
    assert s3["dynamodb_table"] == "terraform-locks"
    assert s3["assume_role"] == {"role_arn": STATE_ROLE}


def test_destination_registry_lets_the_source_account_replicate_in(variant):
    _, stacks = variant
    [policy] = resources(stacks["prod-ap-northeast-1"], "aws_ecr_registry_policy")
    doc = json.loads(policy["policy"])
    [statement] = doc["Statement"]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::222222222222:root"}
    assert sorted(statement["Action"]) == ["ecr:CreateRepository", "ecr:ReplicateImage"]
    assert statement["Resource"] == ["arn:aws:ecr:ap-northeast-1:123456789012:repository/*"]
    [replication] = resources(stacks["stg-ap-northeast-1"], "aws_ecr_replication_configuration")
    [rule] = replication["replication_configuration"]["rule"]
    assert rule["destination"] == [{"region": "ap-northeast-1", "registry_id": "123456789012"}]


def test_registry_policy_validates_and_plans(variant):
    """The policy alone, in a stack of its own: the reference never emits one."""
    root, stacks = variant
    prod = stacks["prod-ap-northeast-1"]
    only = {
        "terraform": prod["terraform"],
        "provider": prod["provider"],
        "resource": {"aws_ecr_registry_policy": prod["resource"]["aws_ecr_registry_policy"]},
    }
    check = check_stack("registry-policy", only, root / "tf", find_provider_mirror())
    assert check.ok, check.report()
    [change] = check.plan_json["resource_changes"]
    assert change["type"] == "aws_ecr_registry_policy" and change["change"]["actions"] == ["create"]
