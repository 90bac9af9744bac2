"""checkov scans every synthesized stack once per run, with every check on (no --skip-check).

Each failed check must be allow-listed for its resource in security/checkov-skips.yaml (one place:
check, resource patterns, reason), and each allow-list pattern must still match a failed check.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
ALLOW_LIST = ROOT / "security" / "checkov-skips.yaml"
README = ROOT / "README.md"


def checkov_binary() -> str:
    beside = Path(sys.executable).parent / "checkov"
    found = str(beside) if beside.exists() else shutil.which("checkov")
    assert found, "checkov is not installed (pipenv install --dev); the security scan never skips"
    return found


def allow_list() -> list[dict[str, Any]]:
    return yaml.safe_load(ALLOW_LIST.read_text())


@pytest.fixture(scope="session")
def scan(synth_out) -> dict[str, Any]:
    proc = subprocess.run(
        [
            checkov_binary(),
            "--directory",
            str(synth_out / "stacks"),
            "--framework",
            "terraform_json",
            "--output",
            "json",
            "--compact",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.stdout.strip(), f"checkov printed nothing (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    report = json.loads(proc.stdout)
    reports = report if isinstance(report, list) else [report]
    [terraform] = [r for r in reports if r.get("check_type") == "terraform_json"]
    return terraform


def address(finding: dict[str, Any], stacks: dict[str, dict[str, Any]]) -> str:
    """`<stack>/<type>.<name>` of a finding (checkov names some resources `resource.<name>`)."""
    stack = finding["file_path"].strip("/").split("/")[0]
    kind, name = finding["resource"].split(".", 1)
    if kind == "resource":  # cdktf's logical names are unique in a stack: find the type
        [kind] = [t for t, named in stacks[stack].get("resource", {}).items() if name in named]
    return f"{stack}/{kind}.{name}"


def allowing(check_id: str, where: str) -> tuple[int, str] | None:
    """(entry index, pattern) of the allow-list entry that accepts `check_id` at `where`."""
    for i, entry in enumerate(allow_list()):
        if entry["check"] == check_id:
            for pattern in entry["resources"]:
                if fnmatchcase(where, pattern):
                    return i, pattern
    return None


@pytest.fixture(scope="session")
def failed(scan, stacks) -> list[tuple[str, str, str]]:
    """(check id, address, check name) of every failed check."""
    return [(f["check_id"], address(f, stacks), f["check_name"]) for f in scan["results"]["failed_checks"]]


def test_every_failed_check_is_allow_listed_for_its_resource(failed):
    unlisted = [f"{check} {name}: {where}" for check, where, name in failed if allowing(check, where) is None]
    assert not unlisted, (
        "checkov findings not allow-listed for these resources (fix the module, or add the check, "
        "the resource and a reason to security/checkov-skips.yaml):\n" + "\n".join(unlisted)
    )


def test_no_allow_list_entry_is_stale(failed):
    used = {allowing(check, where) for check, where, _ in failed}
    stale = [
        f"{entry['check']} {pattern}"
        for i, entry in enumerate(allow_list())
        for pattern in entry["resources"]
        if (i, pattern) not in used
    ]
    assert not stale, "allow-list patterns that match no failed check (remove them):\n" + "\n".join(stale)


def test_the_allow_list_is_specific_and_every_entry_has_a_reason():
    entries = allow_list()
    assert isinstance(entries, list) and entries
    for entry in entries:
        assert set(entry) == {"check", "resources", "reason"}, entry
        assert entry["check"].startswith(("CKV_AWS_", "CKV2_AWS_")), entry["check"]
        assert entry["resources"] and all(
            re.fullmatch(r"[\w*-]+/aws_\w+\.[\w*-]+", p) for p in entry["resources"]
        ), f"{entry['check']}: name resources as <stack>/<type>.<name> patterns: {entry['resources']}"
        assert isinstance(entry["reason"], str) and len(entry["reason"]) > 40, f"{entry['check']}: a reason"


def test_artifact_buckets_must_pass_logging_kms_and_lifecycle(stacks):
    """The reasons concern the log and replica buckets: an artifact bucket losing them is a finding."""
    artifact_buckets = [
        (f"{stack}/aws_s3_bucket.{name}", "provider" in body)  # the replica has the aliased provider
        for stack, stack_json in stacks.items()
        for name, body in stack_json.get("resource", {}).get("aws_s3_bucket", {}).items()
        if re.fullmatch(r"acme-\w+-artifacts-\d{12}-[a-z0-9-]+", body["bucket"])
    ]
    assert sorted(replica for _, replica in artifact_buckets) == [False, False, False, True]
    for where, replica in artifact_buckets:
        for check in ("CKV_AWS_145", "CKV2_AWS_61", *(() if replica else ("CKV_AWS_18",))):
            assert allowing(check, where) is None, f"{check} is allow-listed for {where}"


def test_every_stack_was_scanned(scan, stacks):
    scanned = {f["file_path"].strip("/").split("/")[0] for f in scan["results"]["passed_checks"]}
    assert scanned == set(stacks)
    assert scan["summary"]["passed"] > 100 and scan["summary"]["parsing_errors"] == 0
    assert scan["summary"]["skipped"] == 0  # nothing is skipped: findings are allow-listed instead


def test_readme_states_the_scan_result_and_the_allow_list(scan):
    readme = README.read_text()
    section = readme[readme.index("**Security scan**") :]
    section = section[: section.index("\n\n", section.index("| check |"))]
    stated = re.search(r"\*\*(\d+) passed, (\d+) failed\*\*, all (\d+) allow-listed", section)
    assert stated, "the README's security-scan paragraph states '**N passed, M failed**, all M allow-listed'"
    summary = scan["summary"]
    assert [int(n) for n in stated.groups()] == [summary["passed"], summary["failed"], summary["failed"]]
    table = {m for m in re.findall(r"^\| `(CKV2?_AWS_\d+)`", section, flags=re.MULTILINE)}
    assert table == {entry["check"] for entry in allow_list()}, "the README's allow-list table is stale"
