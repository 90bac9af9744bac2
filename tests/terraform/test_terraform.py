"""Every synthesized stack passes `terraform validate` and an offline `terraform plan`.

These run on every CI run and never skip: without Terraform on PATH they fail. The AWS provider
comes from a local filesystem mirror when one is found (core/tfrun.py), else from the registry.
Independent stacks are checked in parallel.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.synth import count_resources
from core.tfrun import StackCheck, check_stack, find_provider_mirror, terraform_binary
from tests.synth.test_supply_chain_synth import SUPPLY_CHAIN_TYPES


@pytest.fixture(scope="session")
def checks(stacks, tmp_path_factory) -> dict[str, StackCheck]:
    terraform_binary()  # fails (not skips) when Terraform is missing
    mirror = find_provider_mirror()
    root = tmp_path_factory.mktemp("terraform")
    workers = max(2, min(len(stacks), (os.cpu_count() or 2) * 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            name: pool.submit(check_stack, name, body, root / name, mirror) for name, body in stacks.items()
        }
        return {name: f.result() for name, f in futures.items()}


def planned(check: StackCheck) -> dict[str, list[str]]:
    """Resource type -> planned actions, from the plan's JSON."""
    assert check.plan_json is not None, check.report()
    out: dict[str, list[str]] = {}
    for change in check.plan_json["resource_changes"]:
        out.setdefault(change["type"], []).extend(change["change"]["actions"])
    return out


def test_every_stack_validates_and_plans(checks):
    failures = [c.report() for c in checks.values() if not c.ok]
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize(
    "stack",
    ["dev-ap-northeast-1", "stg-ap-northeast-1", "prod-ap-northeast-1", "prod-us-west-2"],
)
def test_plan_creates_every_synthesized_resource(checks, stacks, stack):
    check = checks[stack]
    assert check.ok, check.report()
    expected = count_resources(stacks[stack])
    actions = planned(check)
    assert sum(len(a) for a in actions.values()) == expected
    assert all(a == "create" for acts in actions.values() for a in acts)
    assert f"Plan: {expected} to add, 0 to change, 0 to destroy." in check.plan.output


# What the prod plan creates, by capability (every resource type at least once, nothing but creates).
PROD_PLAN_TYPES = {
    "ecr": (
        "aws_ecr_repository",
        "aws_ecr_lifecycle_policy",
        "aws_ecr_registry_scanning_configuration",
        "aws_ecr_replication_configuration",
        "aws_ecr_pull_through_cache_rule",
        "aws_ecr_repository_creation_template",
        "aws_kms_key",
    ),
    "s3": (
        "aws_s3_bucket",
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_logging",
        "aws_s3_bucket_lifecycle_configuration",
        "aws_s3_bucket_replication_configuration",
    ),
    "imagebuilder": (
        "aws_imagebuilder_component",
        "aws_imagebuilder_image_recipe",
        "aws_imagebuilder_infrastructure_configuration",
        "aws_imagebuilder_distribution_configuration",
        "aws_imagebuilder_image_pipeline",
        "aws_imagebuilder_lifecycle_policy",
        "aws_iam_instance_profile",
        "aws_sns_topic",
    ),
}


@pytest.mark.parametrize("capability", sorted(PROD_PLAN_TYPES))
def test_prod_plan_covers(checks, capability):
    actions = planned(checks["prod-ap-northeast-1"])
    for rtype in PROD_PLAN_TYPES[capability]:
        assert actions.get(rtype) and set(actions[rtype]) == {"create"}, f"{rtype}: {actions.get(rtype)}"


def test_prod_plan_covers_codeartifact(checks):
    actions = planned(checks["prod-ap-northeast-1"])
    for rtype, count in (
        ("aws_codeartifact_domain", 1),
        ("aws_codeartifact_domain_permissions_policy", 1),
        ("aws_codeartifact_repository", 4),
        ("aws_codeartifact_repository_permissions_policy", 4),
    ):
        assert actions.get(rtype) == ["create"] * count, f"{rtype} in the prod plan: {actions.get(rtype)}"


@pytest.mark.parametrize("stack", ["dev-ap-northeast-1", "stg-ap-northeast-1", "prod-ap-northeast-1"])
def test_plan_covers_signing_and_the_scan_gate(checks, stack):
    actions = planned(checks[stack])
    for rtype in SUPPLY_CHAIN_TYPES:
        assert actions.get(rtype), f"{rtype} missing from the {stack} plan"
    assert actions["aws_cloudwatch_event_target"] == ["create", "create"]


def test_planned_lifecycle_keeps_filter_shapes_and_days(checks):
    """The provider reads our filter shapes as meant: empty filter = whole bucket, tag, prefix."""
    plan = checks["prod-ap-northeast-1"].plan_json
    assert plan is not None
    rules = {
        r["id"]: r
        for change in plan["resource_changes"]
        if change["type"] == "aws_s3_bucket_lifecycle_configuration"
        for r in change["change"]["after"]["rule"]
    }
    assert rules["abort-incomplete-uploads"]["filter"][0]["prefix"] == ""
    assert rules["abort-incomplete-uploads"]["filter"][0]["tag"] == []
    assert rules["abort-incomplete-uploads"]["abort_incomplete_multipart_upload"] == [
        {"days_after_initiation": 7}
    ]
    assert rules["archive-tagged-objects"]["filter"][0]["tag"] == [{"key": "Archive", "value": "true"}]
    assert rules["archive-tagged-objects"]["transition"][0]["days"] == 90
    assert rules["expire-snapshots"]["filter"][0]["prefix"] == "snapshots/"
    assert rules["expire-snapshots"]["expiration"][0]["days"] == 90
    replica = rules["replica-expire-noncurrent-versions"]  # read as the source's whole-bucket filter
    assert replica["filter"] == rules["abort-incomplete-uploads"]["filter"]
    assert replica["noncurrent_version_expiration"][0]["noncurrent_days"] == 30
    assert replica["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    assert replica["expiration"][0]["expired_object_delete_marker"] is True


def test_plan_uses_the_mirror_when_present(checks):
    mirror = find_provider_mirror()
    if mirror is None:  # a user without the mirror gets the registry: init must still have worked
        assert all(c.init.ok for c in checks.values())
        return
    for check in checks.values():
        assert "hashicorp/aws" in check.init.output and "Installed hashicorp/aws" in check.init.output


def test_zero_day_transition_survives_the_plan(config_dir, tmp_path):
    """`days = 0` (transition at once) must reach the provider as 0, not be dropped as unset."""
    import json

    from core.synth import synthesize
    from tests.unit.helpers import edit, loads

    def change(d):
        d["artifact_bucket"]["lifecycle"][1]["transitions"] = [{"days": 0, "storage_class": "GLACIER"}]

    edit(config_dir, "dev", change)
    envs = loads(config_dir).select(["dev"])
    synthesize(envs, envs, tmp_path / "out")
    name = "dev-ap-northeast-1"
    body = json.loads((tmp_path / "out" / "stacks" / name / "cdk.tf.json").read_text())
    check = check_stack(name, body, tmp_path / "tf", find_provider_mirror())
    assert check.ok, check.report()
    assert check.plan_json is not None
    [rule] = [
        r
        for change in check.plan_json["resource_changes"]
        if change["type"] == "aws_s3_bucket_lifecycle_configuration"
        for r in change["change"]["after"]["rule"]
        if r["id"] == "archive-tagged-objects"
    ]
    assert [(t["days"], t["storage_class"]) for t in rule["transition"]] == [(0, "GLACIER")]
