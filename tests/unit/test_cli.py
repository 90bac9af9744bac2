"""The command line as a user meets it: exit codes, messages, nothing written on failure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.unit.helpers import edit


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_bad_config_exits_2_lists_problems_and_keeps_earlier_output(config_dir, tmp_path):
    edit(config_dir, "dev", lambda d: d["ecr"]["repositories"][0].update(name="My_App", colour="x"))
    out = tmp_path / "cdktf.out"
    (out / "stacks" / "old").mkdir(parents=True)
    (out / "stacks" / "old" / "cdk.tf.json").write_text("{}")
    proc = run("synth", "--config-dir", str(config_dir), "--out", str(out))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "2 problems in the configuration" in proc.stderr
    assert "ecr.repositories[0].name" in proc.stderr and "'My_App'" in proc.stderr
    assert "unknown key 'colour'" in proc.stderr
    assert "nothing was written" in proc.stderr
    assert (out / "stacks" / "old" / "cdk.tf.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out", "config"]  # no staging left


def test_validate_command_reports_environments_and_warnings(config_dir):
    proc = run("validate", "--config-dir", str(config_dir))
    assert proc.returncode == 0
    assert "configuration is valid: 3 environments (dev, prod, stg)" in proc.stdout
    assert "warning:" in proc.stderr and "[ECR-REPL-DEST]" in proc.stderr


def test_unknown_environment_is_a_usage_error(config_dir):
    proc = run("validate", "--config-dir", str(config_dir), "--env", "qa")
    assert proc.returncode == 2 and "unknown environment; defined: dev, prod, stg" in proc.stderr


def test_committed_schema_is_current(tmp_path):
    proc = run("schema", "--out", "-")
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    assert "name" not in schema["properties"]
    assert set(schema["required"]) == {"org", "account_id", "primary_region"}
    committed = (ROOT / "docs" / "config.schema.json").read_text()
    assert committed == proc.stdout, (
        "docs/config.schema.json is stale: run `pipenv run python main.py schema`"
    )


def test_help_on_every_command():
    for command in ("synth", "validate", "schema", "rules"):
        proc = run(command, "--help")
        assert proc.returncode == 0 and "usage: main.py " + command in proc.stdout


def test_rule_catalogue_document_is_current():
    proc = run("rules")
    assert proc.returncode == 0
    assert "| `ECR-LC-PRIORITY` |" in proc.stdout
    assert proc.stdout in (ROOT / "docs" / "rules.md").read_text(), "docs/rules.md is stale: regenerate it"
