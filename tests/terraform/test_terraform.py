"""Every synthesized stack passes `terraform validate` and an offline `terraform plan`.

These run on every CI run and never skip: without Terraform on PATH they fail. The AWS provider
comes from a local filesystem mirror when one is found (core/tfrun.py), else from the registry.
Independent stacks are checked in parallel.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.tfrun import StackCheck, check_stack, find_provider_mirror, terraform_binary


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
    expected = sum(len(v) for v in stacks[stack]["resource"].values())
    actions = planned(check)
    assert sum(len(a) for a in actions.values()) == expected
    assert all(a == "create" for acts in actions.values() for a in acts)
    assert f"Plan: {expected} to add, 0 to change, 0 to destroy." in check.plan.output


def test_prod_plan_covers_registry_settings(checks):
    actions = planned(checks["prod-ap-northeast-1"])
    for rtype in (
        "aws_ecr_repository",
        "aws_ecr_lifecycle_policy",
        "aws_ecr_registry_scanning_configuration",
        "aws_ecr_replication_configuration",
        "aws_ecr_pull_through_cache_rule",
        "aws_ecr_repository_creation_template",
        "aws_kms_key",
    ):
        assert actions.get(rtype), f"{rtype} missing from the prod plan"


def test_prod_plan_covers_codeartifact(checks):
    actions = planned(checks["prod-ap-northeast-1"])
    for rtype, count in (
        ("aws_codeartifact_domain", 1),
        ("aws_codeartifact_domain_permissions_policy", 1),
        ("aws_codeartifact_repository", 4),
        ("aws_codeartifact_repository_permissions_policy", 4),
    ):
        assert actions.get(rtype) == ["create"] * count, f"{rtype} in the prod plan: {actions.get(rtype)}"


def test_plan_uses_the_mirror_when_present(checks):
    mirror = find_provider_mirror()
    if mirror is None:  # a user without the mirror gets the registry: init must still have worked
        assert all(c.init.ok for c in checks.values())
        return
    for check in checks.values():
        assert "hashicorp/aws" in check.init.output and "Installed hashicorp/aws" in check.init.output
