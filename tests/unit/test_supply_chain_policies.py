"""Pure builders of the signing and scan-gate policies, event patterns and the Lambda package."""

from __future__ import annotations

import io
import json
import re
import zipfile

from moto.events.models import EventPattern

from core.packaging import deterministic_zip, function_sources, package_function
from policies.supply_chain import (
    critical_ecr_scan_pattern,
    critical_inspector_pattern,
    dlq_policy,
    gate_function_policy,
    gate_key_policy,
    gate_patterns,
    signing_policy,
    topic_policy,
    trust_policy,
)
from tests.conftest import ROOT
from tests.unit.test_scan_gate_handler import ECR, INSPECTOR

PROFILE = "arn:aws:signer:ap-northeast-1:111111111111:/signing-profiles/acme_dev_images"


def test_patterns_follow_the_scanning_type():
    assert list(gate_patterns("BASIC")) == ["critical-ecr-scan"]
    assert list(gate_patterns("ENHANCED")) == ["critical-inspector"]
    assert list(gate_patterns(None)) == ["critical-ecr-scan", "critical-inspector"]


def test_critical_count_is_a_json_number():
    text = json.dumps(critical_ecr_scan_pattern())
    assert '"CRITICAL": [{"numeric": [">=", 1]}]' in text
    assert critical_ecr_scan_pattern()["detail"]["finding-severity-counts"]["CRITICAL"][0]["numeric"][1] == 1


def test_inspector_pattern_selects_critical_ecr_image_findings():
    detail = critical_inspector_pattern()["detail"]
    assert detail == {
        "severity": ["CRITICAL"],
        "status": ["ACTIVE"],
        "resources": {"type": ["AWS_ECR_CONTAINER_IMAGE"]},
    }


def matches(pattern: dict, event: dict) -> bool:
    """moto's EventBridge pattern matcher (its TestEventPattern API answers nothing in 5.2.5).

    EventBridge flattens arrays of objects (`detail.resources[].type`) when matching; moto does
    not, so each element of `detail.resources` is tried on its own, as EventBridge would.
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
    """
    resources = event.get("detail", {}).get("resources")
    if isinstance(resources, list) and resources and all(isinstance(r, dict) for r in resources):
        return any(
            matches(pattern, {**event, "detail": {**event["detail"], "resources": r}}) for r in resources
        )
    return EventPattern.load(json.dumps(pattern)).matches_event(event)


def test_patterns_match_the_sample_events_and_not_the_other_kind_or_harmless_ones():
    ecr, inspector = critical_ecr_scan_pattern(), critical_inspector_pattern()
    assert matches(ecr, ECR) and not matches(ecr, INSPECTOR)
    assert matches(inspector, INSPECTOR) and not matches(inspector, ECR)
    harmless = json.loads(json.dumps(ECR))
    harmless["detail"]["finding-severity-counts"] = {"CRITICAL": 0, "HIGH": 4}
    assert not matches(ecr, harmless)
    high = json.loads(json.dumps(INSPECTOR))
    high["detail"]["severity"] = "HIGH"
    assert not matches(inspector, high)


def test_gate_function_policy_is_exactly_its_needs():
    doc = gate_function_policy(
        table_arn="arn:table",
        topic_arn="arn:topic",
        key_arn="arn:key",
        log_group_arn="arn:lg",
        dlq_arn="arn:dlq",
    )
    assert [(s["Action"], s["Resource"]) for s in doc["Statement"]] == [
        (["dynamodb:UpdateItem"], ["arn:table"]),
        (["sns:Publish"], ["arn:topic"]),
        (["kms:Decrypt", "kms:GenerateDataKey"], ["arn:key"]),
        (["logs:CreateLogStream", "logs:PutLogEvents"], ["arn:lg:*"]),
        (["sqs:SendMessage"], ["arn:dlq"]),
        (["xray:PutTelemetryRecords", "xray:PutTraceSegments"], "*"),
    ]


def test_readme_lists_exactly_the_gate_roles_actions():
    """The README's "Its role allows exactly ..." sentence names every action of the role, no other."""
    doc = gate_function_policy(table_arn="t", topic_arn="p", key_arn="k", log_group_arn="l", dlq_arn="q")
    actions = sorted(a for s in doc["Statement"] for a in s["Action"])
    text = " ".join((ROOT / "README.md").read_text().split())
    sentence = text.split("Its role allows exactly ", 1)[1].split("Failed invocations", 1)[0]
    assert sorted(re.findall(r"`([a-z0-9]+:[A-Za-z]+)`", sentence)) == actions
    words = {8: "eight", 9: "nine", 10: "ten"}
    assert sentence.startswith(f"these {words[len(actions)]} actions:"), sentence


def test_dlq_policy_lets_eventbridge_send_only_from_the_gate_rules():
    rules = [
        "arn:aws:events:ap-northeast-1:111111111111:rule/acme-dev-critical-ecr-scan",
        "arn:aws:events:ap-northeast-1:111111111111:rule/acme-dev-critical-inspector",
    ]
    doc = dlq_policy("arn:aws:sqs:ap-northeast-1:111111111111:acme-dev-scan-gate-dlq", rules)
    assert doc == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EventBridgeDeadLettersFromGateRules",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": ["sqs:SendMessage"],
                "Resource": ["arn:aws:sqs:ap-northeast-1:111111111111:acme-dev-scan-gate-dlq"],
                "Condition": {"ArnEquals": {"aws:SourceArn": rules}},
            }
        ],
    }


def test_topic_policy_lets_eventbridge_publish_only_from_the_gate_rules():
    rules = ["arn:aws:events:ap-northeast-1:111111111111:rule/acme-dev-critical-ecr-scan"]
    [admin, events_] = topic_policy("arn:topic", "111111111111", rules)["Statement"]
    assert admin["Principal"] == {"AWS": "arn:aws:iam::111111111111:root"}
    assert events_["Principal"] == {"Service": "events.amazonaws.com"}
    assert events_["Action"] == ["sns:Publish"] and events_["Resource"] == ["arn:topic"]
    assert events_["Condition"] == {"ArnEquals": {"aws:SourceArn": rules}}


def test_gate_key_policy_scopes_logs_to_the_gate_log_group():
    statements = gate_key_policy("111111111111", "ap-northeast-1", "arn:lg")["Statement"]
    services = {s["Sid"]: s for s in statements}
    use = services["EventBridgeAndSnsUseKey"]
    assert use["Principal"] == {"Service": ["events.amazonaws.com", "sns.amazonaws.com"]}
    assert use["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    logs = services["LogsEncryptGateLogGroup"]
    assert logs["Principal"] == {"Service": "logs.ap-northeast-1.amazonaws.com"}
    assert logs["Condition"] == {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": "arn:lg"}}


def test_signing_policy_signs_with_the_profile_only():
    [sign, revocation] = signing_policy(PROFILE)["Statement"]
    assert sign["Action"] == ["signer:GetSigningProfile", "signer:SignPayload"]
    assert sign["Resource"] == [PROFILE]
    assert revocation["Action"] == ["signer:GetRevocationStatus"] and revocation["Resource"] == "*"


def test_committed_trust_policy_trusts_every_reference_profile(project):
    from modules.supply_chain import signing_profile_arn

    arns = [signing_profile_arn(e) for e in project.environments if e.supply_chain and e.supply_chain.signing]
    committed = json.loads((ROOT / "docs" / "notation" / "trustpolicy.json").read_text())
    assert committed == trust_policy(arns), "regenerate docs/notation/trustpolicy.json"
    [policy] = committed["trustPolicies"]
    assert policy["trustStores"] == ["signingAuthority:aws-signer-ts"]
    assert policy["signatureVerification"] == {"level": "strict"}


def test_package_holds_the_handler_and_is_byte_identical_across_builds(tmp_path):
    first, hash1 = package_function("scan_gate", tmp_path / "a")
    second, hash2 = package_function("scan_gate", tmp_path / "b")
    assert first.read_bytes() == second.read_bytes() and hash1 == hash2
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == ["handler.py"]
        [info] = archive.infolist()
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        assert archive.read("handler.py") == (ROOT / "functions" / "scan_gate" / "handler.py").read_bytes()


def test_zip_does_not_depend_on_order_or_file_times():
    files = function_sources("scan_gate")
    reordered = dict(reversed(list({**files, "b.py": b"x", "a.py": b"y"}.items())))
    assert deterministic_zip({**files, "b.py": b"x", "a.py": b"y"}) == deterministic_zip(reordered)
    names = zipfile.ZipFile(io.BytesIO(deterministic_zip(reordered))).namelist()
    assert names == sorted(names)
