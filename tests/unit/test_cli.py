"""The command line as a user meets it: exit codes, messages, nothing written on failure."""

from __future__ import annotations

import json
import os
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
    readonly = run("synth", "--out", "/proc/cdktf.out")  # the parent exists, the staging folder cannot
    assert readonly.returncode == 2 and "\nerror: /proc/cdktf.out: " in readonly.stderr
    assert "staging" not in readonly.stderr
    assert (out / "stacks" / "old" / "cdk.tf.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out", "config"]  # no staging left


def test_validate_command_reports_environments_and_warnings(config_dir):
    proc = run("validate", "--config-dir", str(config_dir))
    assert proc.returncode == 0
    assert "configuration is valid: 3 environments (dev, prod, stg)" in proc.stdout
    assert "warning:" in proc.stderr and "[ECR-REPL-DEST]" in proc.stderr


def test_unknown_environment_is_a_usage_error(config_dir):
    proc = run("validate", "--config-dir", str(config_dir), "--env", "qa")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "error: --env: unknown environment 'qa'; defined: dev, prod, stg\n"


def test_a_selected_environment_hears_only_its_own_warnings(config_dir):
    dev = run("validate", "--config-dir", str(config_dir), "--env", "dev")
    assert (dev.returncode, dev.stderr) == (0, "")  # the prod replication warning is prod's
    prod = run("validate", "--config-dir", str(config_dir), "--env", "prod")
    assert prod.returncode == 0 and "prod.yaml" in prod.stderr and "[ECR-REPL-DEST]" in prod.stderr


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


def subcommands() -> list[str]:
    import argparse

    from core.cli import parser

    [sub] = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return list(sub.choices)


def test_every_command_is_in_the_readme_command_table():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    commands = subcommands()
    assert len(commands) >= 10
    missing = [c for c in commands if f"| `{c}" not in table]
    assert not missing, f"commands missing from the README's command table: {missing}"


def test_help_on_every_command():
    for command in subcommands():
        proc = run(command, "--help")
        assert proc.returncode == 0 and "usage: main.py " + command in proc.stdout
        description = proc.stdout.split("\n\n")[1]  # usage, description, options, exit codes
        assert description and not description.startswith(("options:", "positional")), command
        assert "exit codes: 0 " in proc.stdout, command
    top = run("--help")
    assert top.returncode == 0 and "diagram" in top.stdout and "exit codes: 0 success" in top.stdout


def test_rule_catalogue_document_is_current():
    proc = run("rules")
    assert proc.returncode == 0
    assert "| `ECR-LC-PRIORITY` |" in proc.stdout
    assert proc.stdout in (ROOT / "docs" / "rules.md").read_text(), "docs/rules.md is stale: regenerate it"


def test_codeartifact_login_prints_every_tool_from_the_config(config_dir, tmp_path):
    proc = run(
        "codeartifact-login",
        "--env",
        "prod",
        "--repository",
        "my-packages",
        "--config-dir",
        str(config_dir),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    host = "my-organization-123456789012.d.codeartifact.ap-northeast-1.amazonaws.com"
    assert (
        "aws codeartifact login --tool npm --domain my-organization --domain-owner 123456789012"
        in proc.stdout
    )
    assert "aws codeartifact login --tool pip" in proc.stdout
    assert f"registry=https://{host}/npm/my-packages/" in proc.stdout
    assert f"index-url = https://{host}/pypi/my-packages/simple/" in proc.stdout
    assert f"<url>https://{host}/maven/my-packages/</url>" in proc.stdout
    assert "pre_build:" in proc.stdout
    assert list(tmp_path.iterdir()) == [tmp_path / "config"]  # nothing written


def test_codeartifact_login_one_tool(config_dir):
    proc = run(
        "codeartifact-login",
        "--env",
        "stg",
        "--repository",
        "my-packages",
        "--tool",
        "maven",
        "--config-dir",
        str(config_dir),
    )
    assert proc.returncode == 0
    assert "<settings>" in proc.stdout and "npmrc" not in proc.stdout
    assert (
        "my-organization-222222222222.d.codeartifact.ap-northeast-1.amazonaws.com/maven/my-packages/"
        in proc.stdout
    )


def test_codeartifact_login_sets_up_only_the_formats_a_repository_serves(config_dir):
    args = (
        "codeartifact-login",
        "--env",
        "stg",
        "--repository",
        "npm-store",
        "--config-dir",
        str(config_dir),
    )
    every = run(*args)
    assert every.returncode == 0 and "aws codeartifact login --tool npm" in every.stdout
    assert "/npm/npm-store/" in every.stdout
    assert not any(other in every.stdout for other in ("--tool pip", "<settings>", "/pypi/", "/maven/"))
    wrong = run(*args, "--tool", "maven")
    assert (wrong.returncode, wrong.stdout) == (2, "")
    assert wrong.stderr == (
        "error: --tool maven: repository 'npm-store' serves npm, not maven; tools for it: npm, buildspec, all\n"
    )


def test_codeartifact_login_bad_input_is_one_line_exit_2(config_dir):
    cases = {
        ("qa", "my-packages"): "error: --env: unknown environment 'qa'; defined: dev, prod, stg",
        ("dev", "my-packages"): "error: --env: environment 'dev' defines no codeartifact domain; "
        "environments with one: prod, stg",
        (
            "prod",
            "nope",
        ): "error: --repository: 'nope' is not a repository of domain 'my-organization' in prod",
    }
    for (env, repo), expected in cases.items():
        proc = run("codeartifact-login", "--env", env, "--repository", repo, "--config-dir", str(config_dir))
        assert proc.returncode == 2, proc.stderr
        assert proc.stdout == "" and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith(expected)


def test_composed_names_over_aws_limits_fail_the_synth_and_write_nothing(config_dir, tmp_path):
    # 20-character org and environment names make the us-west-2 ECR template role name exceed 64
    long_env = "productionworldwide1"
    (config_dir / "environments" / "prod.yaml").rename(config_dir / "environments" / f"{long_env}.yaml")

    def change(d):
        d.update(org="averylongorganizatio")
        d.pop("artifact_bucket")  # its names are checked at load time already (S3-BUCKET-NAME)

    edit(config_dir, long_env, change)
    # a renamed environment is new to the Image Builder lock (IB-LOCK-CURRENT): record it first
    assert run("image-lock", "--config-dir", str(config_dir)).returncode == 0
    out = tmp_path / "cdktf.out"
    proc = run("synth", "--config-dir", str(config_dir), "--out", str(out), "--env", long_env)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "[AWS-NAME-LENGTH]" in proc.stderr and "over AWS's limit of 64" in proc.stderr
    assert f"{long_env}.yaml" in proc.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".cdktf.out")] == []


def test_diagram_writes_one_file_per_environment_without_loading_the_framework(config_dir, tmp_path):
    out = tmp_path / "diagrams"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from core.cli import main; code = main(sys.argv[1:]); "
            "assert not [m for m in sys.modules if m.startswith(('cdktf', 'constructs', 'core.framework'))]; "
            "sys.exit(code)",
            "diagram",
            "--config-dir",
            str(config_dir),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "wrote 3 diagrams" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == ["dev.mmd", "prod.mmd", "stg.mmd"]
    assert (out / "prod.mmd").read_text() == (ROOT / "docs" / "diagrams" / "prod.mmd").read_text()


def test_diagram_to_stdout_and_into_a_readme(config_dir, tmp_path):
    proc = run("diagram", "--config-dir", str(config_dir), "--env", "stg", "--out", "-")
    assert proc.returncode == 0 and proc.stdout.startswith("flowchart LR\n  %% stg:")
    assert "prod" not in proc.stdout
    readme = tmp_path / "README.md"
    readme.write_text("# x\n<!-- diagram:dev:start -->\nold\n<!-- diagram:dev:end -->\n")
    proc = run(
        "diagram", "--config-dir", str(config_dir), "--env", "dev", "--out", "-", "--readme", str(readme)
    )
    assert proc.returncode == 0, proc.stderr
    assert f"updated: the diagrams of dev in {readme}" in proc.stderr
    assert (
        readme.read_text()
        == f"# x\n<!-- diagram:dev:start -->\n```mermaid\n{proc.stdout}```\n<!-- diagram:dev:end -->\n"
    )


def test_diagram_bad_input_is_one_line_exit_2(config_dir, tmp_path):
    plain = tmp_path / "plain.md"
    plain.write_text("no markers\n")
    broken = tmp_path / "broken.md"
    broken.write_text("<!-- diagram:dev:start -->\n")
    cases = {
        str(plain): f"error: --readme: {plain} has no <!-- diagram:<env>:start --> marker for dev",
        str(broken): "error: --readme: unbalanced diagram markers",
        str(
            tmp_path / "missing.md"
        ): f"error: --readme: {tmp_path / 'missing.md'}: No such file or directory",
    }
    out = tmp_path / "diagrams"
    for path, expected in cases.items():
        proc = run(
            "diagram", "--config-dir", str(config_dir), "--env", "dev", "--out", str(out), "--readme", path
        )
        assert (proc.returncode, proc.stdout) == (2, "") and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith(expected), proc.stderr
    assert plain.read_text() == "no markers\n"
    assert not out.exists()  # nothing written when the README cannot take the diagrams


def test_a_missing_config_folder_is_named(tmp_path):
    proc = run("validate", "--config-dir", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{tmp_path / 'nope'}: is not a folder (--config-dir names the folder holding" in proc.stderr


def test_plan_review_parallelism_is_at_least_one(config_dir):
    for bad in ("0", "-1", "many"):
        proc = run("plan-review", "--config-dir", str(config_dir), "--parallelism", bad)
        assert (
            proc.returncode == 2
            and f"--parallelism: must be a whole number of at least 1, got '{bad}'" in proc.stderr
        )


def test_stacks_prints_the_deploy_order(config_dir):
    proc = run("stacks", "--config-dir", str(config_dir), "--env", "prod", "--why")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "prod-us-west-2\nprod-ap-northeast-1  (after prod-us-west-2)\n"


def test_plan_review_bad_allow_destroy_is_a_usage_error(config_dir, tmp_path):
    proc = run(
        "plan-review",
        "--offline",
        "--config-dir",
        str(config_dir),
        "--allow-destroy",
        "aws_s3_bucket.x",
        cwd=tmp_path,
    )
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (
        "error: --allow-destroy: expected <stack>:<terraform address>, e.g. "
        "dev-ap-northeast-1:aws_s3_bucket.x, got 'aws_s3_bucket.x'"
    )
    assert list(tmp_path.iterdir()) == [tmp_path / "config"]  # nothing synthesized or planned


def test_a_synth_never_replaces_a_folder_it_did_not_write(tmp_path, synth_out):
    """The output folder is replaced whole: `.`, `""`, a file or a folder holding other files is refused
    before anything is touched; an earlier synth output or an empty folder is replaced."""
    from core.synth import check_output_folder

    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "keep.txt").write_text("mine")
    notes = tmp_path / "notes.txt"
    notes.write_text("mine too")
    cases = {
        ".": f"error: --out: {project} is the current folder or one above it; name a folder of its own",
        "": f"error: --out: {project} is the current folder or one above it; name a folder of its own",
        "..": f"error: --out: {tmp_path} is the current folder or one above it; name a folder of its own",
        str(
            notes
        ): f"error: --out: {notes} exists and is not a folder; name a new folder or an earlier output",
        "src/..": f"error: --out: {project} is the current folder or one above it; name a folder of its own",
    }
    (project / "docs").mkdir()
    (project / "docs" / "guide.md").write_text("# guide")
    cases["docs"] = (
        f"error: --out: {project / 'docs'} holds files a synth did not write (guide.md) and would be "
        "replaced whole; name a new or empty folder, or an earlier synth output"
    )
    for out, expected in cases.items():
        proc = run("synth", "--env", "dev", "--out", out, cwd=project)
        assert (proc.returncode, proc.stdout, proc.stderr.strip()) == (2, "", expected), out
    assert sorted(p.name for p in project.iterdir()) == ["docs", "keep.txt", "src"]
    assert (project / "keep.txt").read_text() == "mine" and notes.read_text() == "mine too"
    assert (project / "docs" / "guide.md").exists()
    # accepted, in-process (no second provider import): an empty folder, and what a synth writes (the
    # session's synthesized reference configuration)
    (project / "empty").mkdir()
    check_output_folder(project / "empty")
    assert sorted(p.name for p in synth_out.iterdir()) == ["manifest.json", "stacks"]
    check_output_folder(synth_out)
    review = run("plan-review", "--env", "dev", "--offline", "--synth-dir", "docs", cwd=project)
    assert review.returncode == 2 and review.stderr.startswith("error: --synth-dir: ")
    assert (project / "docs" / "guide.md").exists()


def test_the_configuration_folder_can_come_from_the_environment(config_dir, tmp_path):
    """`cdktf synth|deploy` run `main.py synth` without flags: ARTIFACT_PLATFORM_CONFIG_DIR points it
    at the team's own configuration."""
    (config_dir / "environments" / "dev.yaml").rename(config_dir / "environments" / "qa.yaml")
    env = {**os.environ, "ARTIFACT_PLATFORM_CONFIG_DIR": str(config_dir)}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "validate"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "configuration is valid: 3 environments (prod, qa, stg)\n"
    flag = subprocess.run(  # the flag still wins
        [sys.executable, str(ROOT / "main.py"), "validate", "--config-dir", str(ROOT / "config")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert flag.stdout == "configuration is valid: 3 environments (dev, prod, stg)\n"


def test_unwritable_output_folder_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = run("synth", "--out", str(blocker / "cdktf.out"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"error: --out: {blocker} is a file, so {blocker / 'cdktf.out'} cannot be a folder" in proc.stderr
