"""`check-image`: parsing, the exit codes, and lookups against moto (in process and over HTTP)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import boto3
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from core.cli import main
from core.imagecheck import BadImageRef, ImageRef, parse_ref
from functions.scan_gate import handler as gate
from tests.conftest import ROOT
from tests.unit.test_scan_gate_handler import ECR

DIGEST = ECR["detail"]["image-digest"]
TABLE = "acme-dev-blocked-images"
REGION = "ap-northeast-1"


def test_parses_digests_tags_and_registry_hosts():
    assert parse_ref(f"my-app@{DIGEST}") == ImageRef("my-app", digest=DIGEST)
    assert parse_ref("team/my-app:1.2.3") == ImageRef("team/my-app", tag="1.2.3")
    host = "111111111111.dkr.ecr.ap-northeast-1.amazonaws.com"
    assert parse_ref(f"{host}/my-app@{DIGEST}").key == f"my-app@{DIGEST}"
    assert parse_ref("localhost:5000/my-app:v1").key == "my-app:v1"


def test_a_tag_and_digest_reference_is_checked_by_its_digest():
    assert parse_ref(f"my-app:1.2.3@{DIGEST}") == ImageRef("my-app", digest=DIGEST, tag="1.2.3")
    assert parse_ref(f"my-app:1.2.3@{DIGEST}").key == f"my-app@{DIGEST}"
    host = "111111111111.dkr.ecr.ap-northeast-1.amazonaws.com"
    assert parse_ref(f"{host}/team/my-app:v2@{DIGEST}").key == f"team/my-app@{DIGEST}"
    assert parse_ref(f"localhost:5000/my-app:v1@{DIGEST}").key == f"my-app@{DIGEST}"
    with pytest.raises(BadImageRef, match="tag must be"):
        parse_ref(f"my-app:-bad@{DIGEST}")
    with pytest.raises(BadImageRef, match="digest must be"):
        parse_ref("my-app:1.2.3@sha256:abc")


@pytest.mark.parametrize("text", ["my-app", "my-app@sha256:abc", "My_App:1", "my-app:", "my-app:-x", ""])
def test_rejects_malformed_references(text):
    with pytest.raises(BadImageRef):
        parse_ref(text)


def _create_table() -> None:
    boto3.client("dynamodb", region_name=REGION).create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "image_ref", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "image_ref", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _block_sample(monkeypatch) -> None:
    """Block the sample image the way the gate does (the handler itself writes it)."""
    monkeypatch.setenv("TABLE_NAME", TABLE)
    sns = boto3.client("sns", region_name=REGION)
    monkeypatch.setenv("TOPIC_ARN", sns.create_topic(Name="acme-dev-scan-findings")["TopicArn"])
    assert gate.handler(ECR)["status"] == "blocked"


@pytest.fixture
def fake_aws(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        _create_table()
        yield


def check(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["check-image", *args, "--config-dir", str(ROOT / "config")])
    out, err = capsys.readouterr()
    return code, out, err


def test_blocked_image_exits_1_with_the_reason_by_digest_and_by_tag(fake_aws, monkeypatch, capsys):
    _block_sample(monkeypatch)
    for ref in (f"my-app@{DIGEST}", "my-app:latest"):
        code, out, err = check(capsys, ref, "--env", "dev")
        assert code == 1 and out == ""
        assert err.startswith(f"blocked: {ref}")
        assert "ECR basic scan found 2 CRITICAL vulnerabilities" in err and "CRITICAL=2" in err


def test_two_inspector_findings_read_back_with_the_first_time_and_both_counted(fake_aws, monkeypatch, capsys):
    from tests.unit.test_scan_gate_handler import INSPECTOR, INSPECTOR_DIGEST, finding

    _block_sample(monkeypatch)
    assert gate.handler(INSPECTOR)["status"] == "blocked"
    later = finding("ffff", "2026-12-02T09:30:00Z", "CVE-2024-6387 - openssh", ["2.0.0"])
    assert gate.handler(later)["status"] == "blocked"
    for ref in (f"my-app@{INSPECTOR_DIGEST}", "my-app:2.0.0"):
        code, out, err = check(capsys, ref, "--env", "dev")
        assert (code, out) == (1, "")
        by_tag = "" if "@" in ref else f" (my-app@{INSPECTOR_DIGEST})"  # a tag names the blocked digest
        assert err.strip() == (
            f"blocked: {ref}{by_tag}: Amazon Inspector: CVE-2024-6387 - openssh"
            "; counts CRITICAL=2; since 2026-12-01T11:00:00Z"
        )


def test_tag_and_digest_reference_is_blocked_by_its_digest_whatever_the_tag(fake_aws, monkeypatch, capsys):
    _block_sample(monkeypatch)
    for tag in ("1.2.3", "moved-elsewhere"):  # the digest is blocked: the tag cannot launder it
        code, out, err = check(capsys, f"my-app:{tag}@{DIGEST}", "--env", "dev")
        assert (code, out) == (1, "")
        assert err.startswith(f"blocked: my-app@{DIGEST}: ECR basic scan found 2 CRITICAL")
    other = "sha256:" + "c" * 64
    code, out, _ = check(capsys, f"my-app:1.2.3@{other}", "--env", "dev")  # blocked tag, clean digest
    assert (code, out.strip()) == (0, f"not blocked: my-app@{other}")


def test_a_hand_written_block_without_the_usual_attributes_still_blocks_in_one_line(
    fake_aws, monkeypatch, capsys
):
    boto3.client("dynamodb", region_name=REGION).put_item(
        TableName=TABLE, Item={"image_ref": {"S": "my-app:hotfix"}, "counts": {"M": {"X": {"S": "1"}}}}
    )
    code, out, err = check(capsys, "my-app:hotfix", "--env", "dev")
    assert (code, out) == (1, "")
    assert err.strip() == "blocked: my-app:hotfix (?@?): ?; counts X=?; since ?"


def test_image_not_blocked_exits_0(fake_aws, monkeypatch, capsys):
    _block_sample(monkeypatch)
    code, out, err = check(capsys, "my-app:1.2.4", "--env", "dev")
    assert (code, out.strip(), err) == (0, "not blocked: my-app:1.2.4", "")
    other = "sha256:" + "c" * 64
    assert check(capsys, f"my-app@{other}", "--env", "dev")[0] == 0


def test_bad_input_exits_2_with_one_line(fake_aws, capsys):
    cases = {
        (
            "my-app",
            "dev",
        ): "error: image: expected <repository>@<digest>, <repository>:<tag>@<digest> or <repository>:<tag>",
        ("my-app:1", "qa"): "error: --env: unknown environment 'qa'",
    }
    for (ref, env), expected in cases.items():
        code, out, err = check(capsys, ref, "--env", env)
        assert code == 2 and out == "" and err.startswith(expected) and len(err.strip().splitlines()) == 1


def test_missing_table_fails_closed(fake_aws, capsys):
    code, _, err = check(capsys, "my-app:1", "--env", "stg")  # no table for stg in this fake account
    assert code == 1 and err.startswith("error: cannot check my-app:1, treat it as blocked")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_command_line_honours_aws_endpoint_url(monkeypatch, tmp_path):
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }
    try:
        for var in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
            monkeypatch.setenv(var, env[var])
        _create_table()
        _block_sample(monkeypatch)

        def run(ref: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [sys.executable, str(ROOT / "main.py"), "check-image", ref, "--env", "dev"],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )

        blocked = run(f"my-app@{DIGEST}")
        assert blocked.returncode == 1, blocked.stderr
        assert "blocked: my-app@" in blocked.stderr and "Traceback" not in blocked.stderr
        clean = run("my-app:9.9.9")
        assert clean.returncode == 0 and clean.stdout.strip() == "not blocked: my-app:9.9.9"
    finally:
        server.stop()
