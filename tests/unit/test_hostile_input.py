"""Hostile input: Terraform template syntax reaches AWS literally; bad files get one clear error."""

from __future__ import annotations

import pytest

from core.naming import escape, escape_all, escape_tags
from core.yamlsafe import MAX_FILE_BYTES
from tests.unit.helpers import edit, error_for, errors

TEMPLATES = "${aws_region} %{ if true }x%{ endif }"
ESCAPED = "$${aws_region} %%{ if true }x%%{ endif }"


def test_escape_doubles_template_openers_only():
    assert escape(TEMPLATES) == ESCAPED
    assert escape("$ {x} % {y} $x %x") == "$ {x} % {y} $x %x"
    assert escape_tags({"${k}": "%{v}"}) == {"$${k}": "%%{v}"}
    assert escape_all({"id": "${a}", "n": 1, "l": ["%{b}"]}) == {"id": "$${a}", "n": 1, "l": ["%%{b}"]}


def test_template_in_a_name_is_rejected(config_dir):
    edit(config_dir, "dev", lambda d: d["ecr"]["repositories"][0].update(name="${aws_region}"))
    assert "${aws_region}" in error_for(config_dir, "[ECR-REPO-NAME]")


def test_template_in_a_tag_is_rejected_by_the_aws_tag_charset(config_dir):
    edit(config_dir, "dev", lambda d: d["default_tags"].update(Owner="${aws_region}"))
    error_for(config_dir, "[AWS-TAG]")


def test_file_over_the_size_limit_is_one_clear_error(config_dir):
    path = config_dir / "environments" / "dev.yaml"
    path.write_text(path.read_text() + "#" * (MAX_FILE_BYTES + 1) + "\n")
    assert f"configuration files may be at most {MAX_FILE_BYTES}" in error_for(config_dir, "dev.yaml")


def test_non_utf8_file_is_one_clear_error(config_dir):
    path = config_dir / "environments" / "dev.yaml"
    path.write_bytes(path.read_bytes() + b"# caf\xe9\n")
    assert "is not valid UTF-8" in error_for(config_dir, "dev.yaml")


@pytest.mark.parametrize("bad", [b"\xff\xfe", b"a: \xc3\x28\n"])
def test_non_utf8_never_raises(config_dir, bad):
    (config_dir / "environments" / "stg.yaml").write_bytes(bad)
    assert any("not valid UTF-8" in e for e in errors(config_dir))


def test_failed_synth_keeps_the_previous_output_and_no_staging(config_dir, tmp_path, monkeypatch):
    import stacks.region_stack
    from core.synth import synthesize
    from tests.unit.helpers import loads

    envs = loads(config_dir).select(["dev"])
    out = tmp_path / "cdktf.out"
    synthesize(envs, envs, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    class Boom(Exception):
        pass

    def explode(*args, **kwargs):
        raise Boom("constructor failed after staging")

    monkeypatch.setattr(stacks.region_stack, "EcrRepositories", explode)
    with pytest.raises(Boom):
        synthesize(envs, envs, out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not list(tmp_path.glob(".cdktf.out.staging-*")) and not list(tmp_path.glob(".cdktf.out.old-*"))
