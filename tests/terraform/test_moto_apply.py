"""Every synthesized stack is applied against moto's server on loopback, re-planned, destroyed.

A plan that validates can still fail on apply or drift on the next plan. moto
(https://docs.getmoto.org/en/latest/docs/server_mode.html) implements the AWS APIs the stacks call;
each stack's providers are pointed at it through `endpoints` (core/tfrun.py `moto_copy`). Resource
types moto lacks are left out of the apply copy (`MOTO_UNSUPPORTED`, one reason per type) and stay
covered by `terraform validate` and the offline plan in test_terraform.py. Non-production stacks are
destroyed too. Stacks run in parallel; never skipped.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from core.naming import stack_name
from core.tfrun import (
    MOTO_DRIFT_IGNORED,
    MOTO_MISSING_MANAGED_POLICIES,
    MOTO_UNSUPPORTED,
    MotoRun,
    apply_on_moto,
    find_provider_mirror,
    moto_copy,
    terraform_binary,
)

PRODUCTION = frozenset({"prod"})  # environments whose stacks are never destroyed
README = Path(__file__).resolve().parent.parent.parent / "README.md"


@pytest.fixture(scope="session")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def production_stacks(project) -> set[str]:
    return {
        stack_name(env, region)
        for env in project.environments
        if env.name in PRODUCTION
        for region in env.regions
    }


@pytest.fixture(scope="session")
def moto_runs(stacks, synth_out, production_stacks, moto_endpoint, tmp_path_factory) -> dict[str, MotoRun]:
    terraform_binary()  # fails (not skips) when Terraform is missing
    mirror = find_provider_mirror()
    root = tmp_path_factory.mktemp("moto")
    with ThreadPoolExecutor(max_workers=len(stacks)) as pool:  # terraform waits on moto mostly
        futures = {
            name: pool.submit(
                apply_on_moto,
                name,
                body,
                root / name,
                mirror,
                moto_endpoint,
                name not in production_stacks,
                synth_out / "stacks" / name,
            )
            for name, body in stacks.items()
        }
        return {name: f.result() for name, f in futures.items()}


def test_every_stack_applies_replans_clean_and_destroys(moto_runs):
    failures = [r.report() for r in moto_runs.values() if not r.ok]
    assert not failures, "\n\n".join(failures)


def test_second_plan_shows_no_changes(moto_runs):
    for run in moto_runs.values():
        plan = run.step("plan")
        assert plan is not None and plan.returncode == 0, run.report()
        assert "No changes." in plan.output


def test_non_production_stacks_are_destroyed_and_production_kept(moto_runs, production_stacks):
    assert production_stacks and set(moto_runs) - production_stacks
    for name, run in moto_runs.items():
        destroy = run.step("destroy")
        if name in production_stacks:
            assert destroy is None
        else:
            assert destroy is not None and destroy.ok and "Destroy complete!" in destroy.output, run.report()


def _types(stacks: dict[str, dict[str, Any]]) -> set[str]:
    return {rtype for body in stacks.values() for rtype in body.get("resource", {})}


def test_every_supported_type_is_applied(moto_runs, stacks):
    """Generic over all stacks: each synthesized type is applied on moto unless listed as unsupported."""
    applied = {rtype for run in moto_runs.values() for rtype in run.applied_types}
    only_missing_policies = {  # attachments of AWS-managed policies moto lacks (offline plan covers them)
        rtype
        for stack in stacks.values()
        for rtype, bodies in stack["resource"].items()
        if all(b.get("policy_arn") in MOTO_MISSING_MANAGED_POLICIES for b in bodies.values())
    }
    missing = _types(stacks) - set(MOTO_UNSUPPORTED) - applied - only_missing_policies
    assert not missing, f"synthesized but neither applied on moto nor listed in MOTO_UNSUPPORTED: {missing}"
    assert {"aws_ecr_repository", "aws_kms_key", "aws_s3_bucket", "aws_iam_role"} <= applied


def test_unsupported_types_are_dropped_with_what_references_them(stacks, moto_endpoint):
    body = moto_copy(stacks["prod-ap-northeast-1"], moto_endpoint)
    assert not set(body["resource"]) & set(MOTO_UNSUPPORTED)
    assert "codeartifact_domain_arn" not in body.get("output", {})
    assert "repository_urls" in body["output"]
    [provider, *_] = body["provider"]["aws"]
    assert provider["endpoints"][0]["s3"] == moto_endpoint and provider["s3_use_path_style"] is True
    assert "backend" not in body["terraform"]
    for rtype in MOTO_DRIFT_IGNORED:
        for resource in body["resource"].get(rtype, {}).values():
            assert resource["lifecycle"]["ignore_changes"] == list(MOTO_DRIFT_IGNORED[rtype][0])


def test_every_exclusion_has_a_reason():
    assert all(len(reason) > 20 for reason in MOTO_UNSUPPORTED.values())
    assert all(len(reason) > 20 for reason in MOTO_MISSING_MANAGED_POLICIES.values())
    assert all(len(reason) > 20 for _, reason in MOTO_DRIFT_IGNORED.values())


def _readme_moto_table() -> list[tuple[list[str], str, str]]:
    """(type patterns, 'applied on moto' cell, 'destroyed' cell) of each row of the README's table."""
    text = README.read_text()
    table = text[text.index("| resource type | applied on moto |") :].split("\n\n", 1)[0]
    rows = []
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        rows.append((re.findall(r"`(aws_[a-z0-9_*]+)`", cells[0]), cells[1], cells[3]))
    return rows


def test_readme_moto_table_names_every_synthesized_type_as_applied(stacks, production_stacks):
    """Without moto: `moto_copy` decides what is applied; the README's table must say the same."""
    applied: dict[str, set[str]] = {}
    for name, body in stacks.items():
        for rtype in moto_copy(body, "http://127.0.0.1:1")["resource"]:
            applied.setdefault(rtype, set()).add(name)
    rows = _readme_moto_table()
    for patterns, _, _ in rows:
        for pattern in patterns:
            assert any(fnmatchcase(t, pattern) for t in _types(stacks)), f"stale README row: {pattern}"
    for rtype in sorted(_types(stacks)):
        matching = [row for row in rows if any(fnmatchcase(rtype, p) for p in row[0])]
        assert len(matching) == 1, f"{rtype}: {len(matching)} rows of the README's moto table name it"
        [(_, applied_cell, destroyed_cell)] = matching
        where = applied.get(rtype, set())
        expected = "no" if not where else "yes (prod)" if where <= production_stacks else "yes"
        assert applied_cell.split(":")[0] == expected, f"{rtype}: README says {applied_cell!r}"
        destroyed = bool(where - production_stacks)
        assert destroyed_cell.startswith("yes (dev, stg)" if destroyed else "—"), rtype
