"""`main.py plan-review --offline` on real plans: the report for every stack, and the guard.

Four runs, in parallel (each a real synth and offline `terraform plan` per stack):
* the reference configuration: every stack reported, nothing destructive, exit 0;
* dev against a hand-written local state (version 4) holding its ECR repository under another
  `name` (must be replaced) and a bucket the configuration no longer has (must be deleted):
  the guard fails, and passes when both addresses are allowed;
* prod, whose stateful resources are `prevent_destroy`, against such a state: Terraform refuses
  to plan, and the report says why (prod trimmed to its ECR repositories in one region, to keep
  the run short: `prevent_destroy` comes from prod.yaml as in the reference configuration).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.synth import count_resources
from tests.conftest import CONFIG, ROOT

PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'


def repository_address(stack: dict[str, Any], name: str) -> str:
    """The repository's for_each instance address: aws_ecr_repository.<logical id>["<name>"]."""
    [key] = [k for k, body in stack["resource"]["aws_ecr_repository"].items() if name in body["for_each"]]
    return f'aws_ecr_repository.{key}["{name}"]'


def state(*resources: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    """A minimal Terraform state (format version 4) holding `(address, attributes)` resources;
    an address ending in `["key"]` is an instance of a for_each resource."""
    entries = []
    for address, attrs in resources:
        rtype, name = address.split(".", 1)
        instance: dict[str, Any] = {"schema_version": 0, "attributes": attrs, "sensitive_attributes": []}
        entry: dict[str, Any] = {"mode": "managed", "type": rtype, "name": name, "provider": PROVIDER}
        if name.endswith('"]'):
            name, key = name[:-2].split('["', 1)
            entry.update(name=name, each="map")
            instance["index_key"] = key
        entry["instances"] = [instance]
        entries.append(entry)
    return {
        "version": 4,
        "terraform_version": "1.10.0",
        "serial": 1,
        "lineage": "0b7f3a52-6c1e-4d7e-9a3f-plan-review-test",
        "outputs": {},
        "resources": entries,
    }


def old_repository(account: str, name: str) -> dict[str, Any]:
    return {
        "id": name,
        "name": name,
        "arn": f"arn:aws:ecr:ap-northeast-1:{account}:repository/{name}",
        "registry_id": account,
        "image_tag_mutability": "IMMUTABLE",
        "force_delete": False,
    }


def workspace(root: Path) -> Path:
    """A project folder holding a copy of the reference configuration."""
    shutil.copytree(CONFIG, root / "config")
    return root


def trim_prod(root: Path) -> None:
    """prod on a local backend with only its ECR repositories, in its primary region."""
    path = root / "config" / "environments" / "prod.yaml"
    data = yaml.safe_load(path.read_text())
    assert data["prevent_destroy"] is True
    data["backend"] = {"type": "local", "directory": "state"}
    for key in ("extra_regions", "codeartifact", "artifact_bucket", "image_builder", "supply_chain"):
        data.pop(key, None)
    del data["ecr"]["registry"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def write_state(root: Path, stack: str, body: dict[str, Any]) -> None:
    (root / "state").mkdir(exist_ok=True)
    (root / "state" / f"{stack}.tfstate").write_text(json.dumps(body))


def plan_review(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "plan-review",
            "--offline",
            "--config-dir",
            str(root / "config"),
            "--synth-dir",
            str(root / "cdktf.out"),
            "--out",
            str(root / "plans"),
            *args,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def runs(stacks, tmp_path_factory) -> dict[str, tuple[Path, subprocess.CompletedProcess, list[str]]]:
    dev_repo = repository_address(stacks["dev-ap-northeast-1"], "my-app")
    prod_repo = repository_address(stacks["prod-ap-northeast-1"], "prod-api")
    dev_state = state(
        (dev_repo, old_repository("111111111111", "my-app-old")),
        ("aws_s3_bucket.legacy", {"id": "acme-dev-legacy", "bucket": "acme-dev-legacy"}),
    )
    allow = [f"dev-ap-northeast-1:{dev_repo}", "dev-ap-northeast-1:aws_s3_bucket.legacy"]

    jobs: dict[str, tuple[Path, list[str]]] = {"reference": (workspace(tmp_path_factory.mktemp("ref")), [])}
    for name, extra in (("guard", []), ("allowed", [a for x in allow for a in ("--allow-destroy", x)])):
        root = workspace(tmp_path_factory.mktemp(name))
        write_state(root, "dev-ap-northeast-1", dev_state)
        jobs[name] = (root, ["--env", "dev", *extra])
    root = workspace(tmp_path_factory.mktemp("prod"))
    trim_prod(root)
    write_state(
        root, "prod-ap-northeast-1", state((prod_repo, old_repository("123456789012", "prod-api-old")))
    )
    jobs["prod"] = (root, ["--env", "prod"])

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(plan_review, root, *args) for name, (root, args) in jobs.items()}
        return {name: (jobs[name][0], f.result(), allow) for name, f in futures.items()}


def report(root: Path) -> str:
    return (root / "plans" / "plan-review.md").read_text()


def test_reference_configuration_review_covers_every_stack(runs, stacks):
    root, proc, _ = runs["reference"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = report(root)
    assert text.startswith("# Plan review: PASS")
    assert "DESTRUCTIVE" not in text and "FAILED" not in text
    for name, body in stacks.items():
        creates = count_resources(body)
        assert f"| {name} | {creates} | 0 | 0 | 0 |" in text
        assert f"## {name}" in text
        assert (root / "plans" / f"{name}.tfplan").stat().st_size > 0
        plan = json.loads((root / "plans" / f"{name}.json").read_text())
        assert len(plan["resource_changes"]) == creates
        assert f"] {name}: {creates} to create, 0 to update, 0 to replace, 0 to delete" in proc.stderr
    assert '`name`: `"prod-my-app"`' in text  # attributes of created resources are listed
    assert "plan review passed" in proc.stdout
    topology = text.partition("## Topology")[2]
    for env in ("dev", "prod", "stg"):  # each environment's diagram, as `diagram` writes it
        diagram = (ROOT / "docs" / "diagrams" / f"{env}.mmd").read_text()
        assert f"### {env}\n\n```mermaid\n{diagram.rstrip()}\n```" in topology


def test_guard_fails_on_replacing_and_deleting_stateful_resources(runs, stacks):
    root, proc, allow = runs["guard"]
    assert proc.returncode == 1, proc.stdout + proc.stderr
    text = report(root)
    loud, _, rest = text.partition("## Summary")
    assert loud.startswith("# Plan review: FAIL\n\n## ⛔ DESTRUCTIVE CHANGES TO STATEFUL RESOURCES")
    repo = allow[0].split(":", 1)[1]
    assert f"| dev-ap-northeast-1 | `{repo}` | **REPLACE** | **NO** |" in loud
    assert "| dev-ap-northeast-1 | `aws_s3_bucket.legacy` | **DELETE** | **NO** |" in loud
    creates = count_resources(stacks["dev-ap-northeast-1"]) - 1  # the repository is replaced
    assert f"| dev-ap-northeast-1 | {creates} | 0 | 1 | 1 |" in rest
    assert '`name`: `"my-app-old"` -> `"my-app"` (forces replacement)' in rest
    for address in allow:
        assert address in proc.stdout


def test_guard_passes_when_every_destructive_address_is_allowed(runs):
    root, proc, allow = runs["allowed"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = report(root)
    assert text.startswith("# Plan review: PASS\n\n## ⚠️ ALLOWED DESTRUCTIVE CHANGES")
    for allowed in allow:
        stack, address = allowed.split(":", 1)
        assert f"| {stack} | `{address}` |" in text
    assert text.count("| yes |") == 2 and "**NO**" not in text


def test_prod_prevent_destroy_makes_the_plan_fail_loudly(runs):
    root, proc, _ = runs["prod"]
    assert proc.returncode == 1, proc.stdout + proc.stderr
    text = report(root)
    assert text.startswith("# Plan review: FAIL\n\n## ⛔ PLANS THAT FAILED")
    assert "| prod-ap-northeast-1 | plan failed | | | |" in text
    loud = text.partition("## Summary")[0]
    assert (
        '  - Error: Instance cannot be destroyed — Resource aws_ecr_repository.ecr_repositories["prod-api"]'
        in loud
    )
    assert "has lifecycle.prevent_destroy set" in loud
    assert "1 plan failed" in proc.stdout
    assert not (root / "plans" / "prod-ap-northeast-1.json").exists()
