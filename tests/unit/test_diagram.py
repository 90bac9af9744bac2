"""Topology diagrams: what the reference configuration shows, stable IDs, Mermaid's own parser."""

from __future__ import annotations

import difflib
import shutil
import subprocess

import pytest

from core import diagram
from core.diagram import build, embed, node_id, render
from tests.conftest import ROOT
from tests.unit.helpers import edit, loads

PARSER = ROOT / "tests" / "node" / "parse_mermaid.mjs"


def by_env(project) -> dict:
    return {e.name: build(e, project.environments) for e in project.environments}


def test_prod_diagram_shows_replication_caches_packages_amis_bucket_and_gate(project):
    d = by_env(project)["prod"]
    edges = d.labelled_edges()
    for repo in ("prod-my-app", "prod-api"):
        assert (
            repo,
            "ECR 123456789012 · us-west-2 / stack prod-us-west-2",
            "replicates prefix prod-",
        ) in edges
        assert (
            repo,
            "ECR 333333333333 · ap-northeast-1 / outside this configuration",
            "replicates prefix prod-",
        ) in edges
    assert not any(s == "tools/builder" and "replicates" in label for s, _, label in edges)  # no prefix match
    assert ("pull-through cache / ecr-public/", "public.ecr.aws", "pulls from") in edges
    assert ("npm-store", "public:npmjs", "external connection") in edges
    assert ("maven-store", "public:maven-central", "external connection") in edges
    assert {(s, t, label) for s, t, label in edges if s == "my-packages"} == {
        ("my-packages", "npm-store", "upstream 1"),
        ("my-packages", "pypi-store", "upstream 2"),
        ("my-packages", "maven-store", "upstream 3"),
    }
    launch = {(s, t) for s, t, label in edges if label == "may launch"}
    assert launch == {
        (f"AMI · {region}", f"account {account}")
        for region in ("ap-northeast-1", "us-west-2")
        for account in ("222222222222", "333333333333")
    }
    assert (
        "acme-prod-artifacts-123456789012-ap-northeast-1",
        "acme-prod-artifacts-123456789012-us-west-2",
        "replicates releases/ · STANDARD",
    ) in edges
    rule = "EventBridge rule acme-prod-critical-inspector / aws.inspector2 · Inspector2 Finding"
    assert (rule, "SNS topic acme-prod-scan-findings", "target") in edges
    assert (rule, "Lambda acme-prod-scan-gate", "target") in edges
    assert (rule, "SQS acme-prod-scan-gate-dlq", "undelivered events") in edges
    assert ("Lambda acme-prod-scan-gate", "DynamoDB acme-prod-blocked-images", "blocks image") in edges
    assert not any("critical-ecr-scan" in s for s, _, _ in edges)  # ENHANCED scanning: Inspector only


def test_node_and_edge_sets_of_the_reference_configuration(project):
    diagrams = by_env(project)
    assert set(diagrams["prod"].nodes) == {
        *(f"ecr_repo_{n}" for n in ("prod_my_app", "prod_api", "tools_builder_ec47ef")),
        "ecr_cache_ecr_public",
        "ecr_upstream_public_ecr_aws_be2f91",
        "ecr_dest_123456789012_us_west_2",
        "ecr_dest_333333333333_ap_northeast_1",
        *(f"ca_repo_{n}" for n in ("npm_store", "pypi_store", "maven_store", "my_packages")),
        *(f"ca_ext_{n}" for n in ("npmjs", "pypi", "maven_central")),
        "ami_pipeline_my_golden_image",
        "ami_copy_ap_northeast_1",
        "ami_copy_us_west_2",
        "ami_account_222222222222",
        "ami_account_333333333333",
        "s3_bucket",
        "s3_logs",
        "s3_replica",
        "gate_rule_critical_inspector",
        "gate_topic",
        "gate_function",
        "gate_table",
        "gate_dlq",
        "gate_check_image",
        "gate_sub_email_security_example_com_40c9c9",
    }
    repl = ("ecr_dest_123456789012_us_west_2", "ecr_dest_333333333333_ap_northeast_1")
    copies = ("ami_copy_ap_northeast_1", "ami_copy_us_west_2")
    assert {(s, t) for s, t, _ in diagrams["prod"].edges} == {
        ("ecr_cache_ecr_public", "ecr_upstream_public_ecr_aws_be2f91"),
        *((f"ecr_repo_{r}", d) for r in ("prod_my_app", "prod_api") for d in repl),
        ("ca_repo_npm_store", "ca_ext_npmjs"),
        ("ca_repo_pypi_store", "ca_ext_pypi"),
        ("ca_repo_maven_store", "ca_ext_maven_central"),
        *(("ca_repo_my_packages", f"ca_repo_{u}") for u in ("npm_store", "pypi_store", "maven_store")),
        *(("ami_pipeline_my_golden_image", c) for c in copies),
        *((c, f"ami_account_{a}") for c in copies for a in ("222222222222", "333333333333")),
        ("s3_bucket", "s3_logs"),
        ("s3_bucket", "s3_replica"),
        ("ecr", "gate_rule_critical_inspector"),
        ("gate_rule_critical_inspector", "gate_topic"),
        ("gate_rule_critical_inspector", "gate_function"),
        ("gate_rule_critical_inspector", "gate_dlq"),
        ("gate_function", "gate_table"),
        ("gate_function", "gate_topic"),
        ("gate_function", "gate_dlq"),
        ("gate_check_image", "gate_table"),
        ("gate_topic", "gate_sub_email_security_example_com_40c9c9"),
    }
    dev, stg = diagrams["dev"], diagrams["stg"]
    assert "gate_rule_critical_ecr_scan" in dev.nodes and "gate_rule_critical_inspector" not in dev.nodes
    assert not any(n.startswith(("ca_", "ami_", "ecr_dest")) for n in dev.nodes)
    assert "s3_replica" not in stg.nodes and "ami_pipeline_my_golden_image" not in stg.nodes
    assert ("my-packages", "npm-store", "upstream 1") in stg.labelled_edges()


def test_node_ids_come_from_names_and_never_collide():
    assert node_id("ecr_repo", "prod-my-app") == "ecr_repo_prod_my_app"
    ids = {node_id("ecr_repo", n) for n in ("a-b", "a_b", "a.b", "a/b", "A-b")}
    assert len(ids) == 5
    assert all(i.replace("_", "").isalnum() and i.isascii() for i in ids)


def test_inserting_a_repository_only_adds_lines(config_dir):
    before = render(*_prod(config_dir))
    edit(config_dir, "prod", lambda d: d["ecr"]["repositories"].insert(0, {"name": "prod-batch"}))
    after = render(*_prod(config_dir))
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed and all(line.startswith("+") for line in changed), changed
    assert len(changed) == 3  # the node and its two replication edges
    assert all("prod_batch" in line for line in changed)


def _prod(config_dir):
    project = loads(config_dir)
    return next(e for e in project.environments if e.name == "prod"), project.environments


def test_labels_are_escaped_for_mermaid(config_dir):
    edit(
        config_dir,
        "dev",
        lambda d: d["supply_chain"]["scan_gate"].update(
            # an email address may hold these (an https URL may not: GATE-SUB-ENDPOINT)
            subscriptions=[{"protocol": "email", "endpoint": 'a="b"#<c>@example.com'}]
        ),
    )
    project = loads(config_dir)
    text = render(next(e for e in project.environments if e.name == "dev"), project.environments)
    assert 'email a=#quot;b#quot;#35;#lt;c#gt;@example.com"' in text


def test_embed_replaces_only_marked_blocks_and_rejects_unbalanced_markers():
    readme = "a\n<!-- diagram:prod:start -->\nold\n<!-- diagram:prod:end -->\nb\n<!-- diagram:qa:start -->\nx\n<!-- diagram:qa:end -->\n"
    text, done = embed(readme, {"prod": "flowchart LR\n"})
    assert done == ["prod"]
    assert text == readme.replace("old\n", "```mermaid\nflowchart LR\n```\n")
    with pytest.raises(diagram.MarkerError):
        embed("<!-- diagram:prod:start -->\n", {"prod": "x"})


def test_readme_diagrams_and_committed_files_are_current(project):
    rendered = diagram.diagrams(project.environments, project.environments)
    readme = (ROOT / "README.md").read_text()
    updated, done = embed(readme, rendered)
    assert sorted(done) == ["dev", "prod", "stg"]
    assert updated == readme, "the README's diagrams are stale: run `python main.py diagram --readme`"
    for name, text in rendered.items():
        committed = (ROOT / "docs" / "diagrams" / f"{name}.mmd").read_text()
        assert committed == text, f"docs/diagrams/{name}.mmd is stale: run `python main.py diagram --readme`"


def _edge_cases(data: dict) -> None:
    """Every optional branch: no scanning type (both gate rules), a replication filter no repository
    matches, a credentialed cache, organizations and OUs, a subscription needing escapes."""
    registry = data["ecr"]["registry"]
    del registry["scanning"]
    registry["replication"].append({"prefix_filters": ["team-"], "destinations": [{"region": "eu-west-1"}]})
    registry["pull_through_cache"].append(
        {
            "prefix": "docker-hub",
            "upstream": "registry-1.docker.io",
            "credential_secret_arn": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:"
            "ecr-pullthroughcache/docker-hub-AbCdEf",
        }
    )
    data["image_builder"]["distributions"][0]["launch_permission"].update(
        organization_arns=["arn:aws:organizations::123456789012:organization/o-a1b2c3d4e5"],
        organizational_unit_arns=["arn:aws:organizations::123456789012:ou/o-a1b2c3d4e5/ou-ab12-cdef5678"],
    )
    data["supply_chain"]["scan_gate"]["subscriptions"].append(
        {"protocol": "email", "endpoint": 'a="b"#<c>@example.com'}
    )


def test_every_diagram_parses_with_mermaids_own_parser(project, config_dir, tmp_path):
    """One Node run for all diagrams (the reference ones, one with every optional branch, and a
    broken one that proves the parser rejects what it should)."""
    node = shutil.which("node")
    assert node, "Node.js >= 20 is required (see the README's set-up)"
    files = []
    for name, text in diagram.diagrams(project.environments, project.environments).items():
        files.append(tmp_path / f"{name}.mmd")
        files[-1].write_text(text)
    edit(config_dir, "prod", _edge_cases)
    edge_cases = build(*_prod(config_dir))
    assert {"gate_rule_critical_ecr_scan", "gate_rule_critical_inspector"} <= set(edge_cases.nodes)
    assert ("ecr", "ecr_dest_123456789012_eu_west_1", "replicates prefix team-") in edge_cases.edges
    assert {"ami_org_o_a1b2c3d4e5", "ami_ou_ou_ab12_cdef5678"} <= set(edge_cases.nodes)
    files.append(tmp_path / "edge-cases.mmd")
    files[-1].write_text(edge_cases.text)
    broken = tmp_path / "broken.mmd"
    broken.write_text('flowchart LR\n  a["unclosed --> b\n')
    proc = subprocess.run(
        [node, str(PARSER), *map(str, files), str(broken)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = proc.stdout.splitlines()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert lines[:-1] == [f"ok {f} flowchart-v2" for f in files], proc.stdout + proc.stderr
    assert lines[-1].startswith(f"error {broken}: Parse error")
