"""The synthesized signing profile and scan-findings gate: patterns per scanning type, package, IAM."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest

from tests.conftest import one, resources

PRIMARY = {"dev": "dev-ap-northeast-1", "stg": "stg-ap-northeast-1", "prod": "prod-ap-northeast-1"}
ACCOUNTS = {"dev": "111111111111", "stg": "222222222222", "prod": "123456789012"}
SUPPLY_CHAIN_TYPES = (
    "aws_signer_signing_profile",
    "aws_iam_policy",
    "aws_dynamodb_table",
    "aws_sns_topic",
    "aws_sns_topic_policy",
    "aws_sns_topic_subscription",
    "aws_sqs_queue",
    "aws_cloudwatch_log_group",
    "aws_lambda_function",
    "aws_lambda_function_event_invoke_config",
    "aws_lambda_permission",
    "aws_cloudwatch_event_rule",
    "aws_cloudwatch_event_target",
)


def rules(stack) -> dict[str, dict]:
    return {r["name"]: json.loads(r["event_pattern"]) for r in resources(stack, "aws_cloudwatch_event_rule")}


def test_rule_pattern_follows_each_environments_scanning_type(stacks):
    dev = rules(stacks[PRIMARY["dev"]])
    assert list(dev) == ["acme-dev-critical-ecr-scan"]
    [pattern] = dev.values()
    assert pattern["source"] == ["aws.ecr"] and pattern["detail-type"] == ["ECR Image Scan"]
    for env in ("stg", "prod"):
        found = rules(stacks[PRIMARY[env]])
        assert list(found) == [f"acme-{env}-critical-inspector"]
        [pattern] = found.values()
        assert pattern["source"] == ["aws.inspector2"] and pattern["detail-type"] == ["Inspector2 Finding"]
        assert pattern["detail"]["severity"] == ["CRITICAL"]
        assert pattern["detail"]["resources"] == {"type": ["AWS_ECR_CONTAINER_IMAGE"]}
    assert resources(stacks["prod-us-west-2"], "aws_cloudwatch_event_rule") == []


def test_numbers_in_patterns_stay_json_numbers(stacks):
    [rule] = resources(stacks[PRIMARY["dev"]], "aws_cloudwatch_event_rule")
    assert '"numeric": [">=", 1]' in rule["event_pattern"]
    assert json.loads(rule["event_pattern"])["detail"]["finding-severity-counts"]["CRITICAL"] == [
        {"numeric": [">=", 1]}
    ]


@pytest.mark.parametrize("env", list(PRIMARY))
def test_every_rule_targets_the_lambda_and_topic_with_permission(stacks, env):
    stack = stacks[PRIMARY[env]]
    [rule_name] = rules(stack)
    targets = [t for t in resources(stack, "aws_cloudwatch_event_target") if t["rule"] == rule_name]
    arns = sorted(t["arn"] for t in targets)
    assert len(arns) == 2
    assert arns[0].startswith("${aws_lambda_function.scan-gate_function") and arns[1].startswith(
        "${aws_sns_topic."
    )
    permission = one(stack, "aws_lambda_permission")
    assert permission["principal"] == "events.amazonaws.com"
    assert permission["action"] == "lambda:InvokeFunction"
    assert permission["function_name"] == f"acme-{env}-scan-gate"
    assert permission["source_arn"].startswith("${aws_cloudwatch_event_rule.scan-gate_critical-")


@pytest.mark.parametrize("env", list(PRIMARY))
def test_every_target_retries_then_dead_letters_to_the_gate_queue(stacks, env):
    stack = stacks[PRIMARY[env]]
    [rule_name] = rules(stack)
    [queue] = [
        (name, body)
        for name, body in stack["resource"]["aws_sqs_queue"].items()
        if body["name"] == f"acme-{env}-scan-gate-dlq"
    ]
    queue_arn = "${aws_sqs_queue." + queue[0] + ".arn}"
    targets = resources(stack, "aws_cloudwatch_event_target")
    assert len(targets) == 2
    for target in targets:
        assert target["rule"] == rule_name
        assert target["dead_letter_config"] == {"arn": queue_arn}
        assert target["retry_policy"] == {"maximum_event_age_in_seconds": 3600, "maximum_retry_attempts": 8}
    assert "aws_sqs_queue_policy" not in stack["resource"]  # the policy is the queue's attribute
    access = queue[1]
    account, name = ACCOUNTS[env], f"acme-{env}-scan-gate-dlq"
    assert json.loads(access["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EventBridgeDeadLettersFromGateRules",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": ["sqs:SendMessage"],
                "Resource": [f"arn:aws:sqs:ap-northeast-1:{account}:{name}"],
                "Condition": {
                    "ArnEquals": {
                        "aws:SourceArn": [f"arn:aws:events:ap-northeast-1:{account}:rule/{rule_name}"]
                    }
                },
            }
        ],
    }


def test_lambda_package_is_relative_holds_the_handler_and_matches_its_hash(stacks, synth_out):
    fn = one(stacks[PRIMARY["dev"]], "aws_lambda_function")
    assert fn["runtime"] == "python3.12" and fn["handler"] == "handler.handler"
    assert not fn["filename"].startswith("/") and fn["filename"].endswith("/scan_gate.zip")
    data = (synth_out / "stacks" / PRIMARY["dev"] / fn["filename"]).read_bytes()
    assert fn["source_code_hash"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    import io
    import zipfile

    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["handler.py"]
    hashes = {one(stacks[s], "aws_lambda_function")["source_code_hash"] for s in PRIMARY.values()}
    assert hashes == {fn["source_code_hash"]}  # same sources, same bytes, in every stack
    assert str(synth_out.parent) not in json.dumps(stacks)  # no absolute path anywhere


def test_lambda_has_dlq_retries_env_and_logs(stacks):
    stack = stacks[PRIMARY["prod"]]
    fn = one(stack, "aws_lambda_function")
    assert fn["dead_letter_config"]["target_arn"].startswith("${aws_sqs_queue.scan-gate_dlq")
    assert fn["environment"]["variables"] == {
        "TABLE_NAME": "acme-prod-blocked-images",
        "TOPIC_ARN": "arn:aws:sns:ap-northeast-1:123456789012:acme-prod-scan-findings",
    }
    queue = one(stack, "aws_sqs_queue")
    assert queue["name"] == "acme-prod-scan-gate-dlq" and queue["kms_master_key_id"].startswith(
        "${aws_kms_key."
    )
    invoke = one(stack, "aws_lambda_function_event_invoke_config")
    assert invoke["maximum_retry_attempts"] == 2
    logs = one(stack, "aws_cloudwatch_log_group")
    assert logs["name"] == "/aws/lambda/acme-prod-scan-gate" and logs["retention_in_days"] == 365
    assert logs["kms_key_id"].startswith("${aws_kms_key.scan-gate_key")


def test_blocked_images_table_is_on_demand_encrypted_and_recoverable(stacks):
    table = one(stacks[PRIMARY["stg"]], "aws_dynamodb_table")
    assert table["name"] == "acme-stg-blocked-images" and table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["hash_key"] == "image_ref" and table["attribute"] == [{"name": "image_ref", "type": "S"}]
    assert table["server_side_encryption"]["enabled"] is True
    assert table["server_side_encryption"]["kms_key_arn"].startswith("${aws_kms_key.scan-gate_key")
    assert table["point_in_time_recovery"] == {"enabled": True}


@pytest.mark.parametrize("env", list(PRIMARY))
def test_blocked_images_table_is_protected_in_prod_only(stacks, env):
    table = one(stacks[PRIMARY[env]], "aws_dynamodb_table")
    assert table["name"] == f"acme-{env}-blocked-images"
    assert table.get("lifecycle") == ({"prevent_destroy": True} if env == "prod" else None)
    assert table["deletion_protection_enabled"] is (env == "prod")


def test_gate_role_is_least_privilege(stacks):
    stack = stacks[PRIMARY["dev"]]
    role = one(stack, "aws_iam_role", name="acme-dev-scan-gate")
    assert json.loads(role["assume_role_policy"])["Statement"][0]["Principal"] == {
        "Service": "lambda.amazonaws.com"
    }
    [policy] = [p for p in resources(stack, "aws_iam_role_policy") if p["name"] == "scan-gate"]
    text = policy["policy"]
    assert text.startswith("${jsonencode(")  # the key ARN is a token
    actions = re.findall(r'"Action" = \[([^\]]*)\]', text)
    assert [a.replace('"', "").split(", ") for a in actions] == [
        ["dynamodb:UpdateItem"],
        ["sns:Publish"],
        ["kms:Decrypt", "kms:GenerateDataKey"],
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        ["sqs:SendMessage"],
        ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
    ]
    resources_ = re.findall(r'"Resource" = \[([^\]]*)\]', text)
    assert re.fullmatch(r"aws_kms_key\.scan-gate_key_\w+\.arn", resources_[2])  # the gate's own key
    resources_[2] = "<gate key>"
    assert resources_ == [
        '"arn:aws:dynamodb:ap-northeast-1:111111111111:table/acme-dev-blocked-images"',
        '"arn:aws:sns:ap-northeast-1:111111111111:acme-dev-scan-findings"',
        "<gate key>",
        '"arn:aws:logs:ap-northeast-1:111111111111:log-group:/aws/lambda/acme-dev-scan-gate:*"',
        '"arn:aws:sqs:ap-northeast-1:111111111111:acme-dev-scan-gate-dlq"',
    ]
    # the only unscoped statement is X-Ray's (it has no resource-level permissions)
    assert text.count('"*"') == 1
    assert '"Action" = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], "Resource" = "*"}' in text


def test_topic_is_encrypted_and_only_the_gate_rules_publish(stacks):
    stack = stacks[PRIMARY["stg"]]
    topic = one(stack, "aws_sns_topic")
    assert topic["name"] == "acme-stg-scan-findings" and topic["kms_master_key_id"].startswith(
        "${aws_kms_key."
    )
    doc = json.loads(one(stack, "aws_sns_topic_policy")["policy"])
    events = next(s for s in doc["Statement"] if s["Principal"] == {"Service": "events.amazonaws.com"})
    assert events["Action"] == ["sns:Publish"]
    assert events["Condition"] == {
        "ArnEquals": {
            "aws:SourceArn": ["arn:aws:events:ap-northeast-1:222222222222:rule/acme-stg-critical-inspector"]
        }
    }
    sub = one(stack, "aws_sns_topic_subscription")
    assert (sub["protocol"], sub["endpoint"]) == ("email", "security@example.com")
    key = next(k for k in resources(stack, "aws_kms_key") if "Scan-findings gate" in k["description"])
    principals = [s["Principal"] for s in json.loads(key["policy"])["Statement"]]
    assert {"Service": ["events.amazonaws.com", "sns.amazonaws.com"]} in principals
    assert {"Service": "logs.ap-northeast-1.amazonaws.com"} in principals


@pytest.mark.parametrize("env", list(PRIMARY))
def test_signing_profile_policy_and_outputs(stacks, env):
    stack = stacks[PRIMARY[env]]
    profile = one(stack, "aws_signer_signing_profile")
    assert profile.pop("lifecycle", None) == ({"prevent_destroy": True} if env == "prod" else None)
    assert profile == {
        "name": f"acme_{env}_images",
        "platform_id": "Notation-OCI-SHA384-ECDSA",
        "signature_validity_period": {"type": "MONTHS", "value": 12},
    }
    arn = f"arn:aws:signer:ap-northeast-1:{ACCOUNTS[env]}:/signing-profiles/acme_{env}_images"
    doc = json.loads(one(stack, "aws_iam_policy", name=f"acme-{env}-image-signing")["policy"])
    assert [(s["Action"], s["Resource"]) for s in doc["Statement"]] == [
        (["signer:GetSigningProfile", "signer:SignPayload"], [arn]),
        (["signer:GetRevocationStatus"], "*"),
    ]
    outputs = stack["output"]
    assert outputs["signing_profile_arn"]["value"].startswith("${aws_signer_signing_profile.")
    assert outputs["notation_sign_command"]["value"] == (
        "notation sign <registry>/<repository>@<digest> "
        f'--plugin "com.amazonaws.signer.notation.plugin" --id "{arn}"'
    )
    assert outputs["notation_verify_command"]["value"] == "notation verify <registry>/<repository>@<digest>"
    assert outputs["blocked_images_table"]["value"] == f"acme-{env}-blocked-images"
    assert "signing_profile_arn" not in stacks["prod-us-west-2"].get("output", {})


def test_reference_stacks_hold_every_supply_chain_type(stacks):
    for stack in PRIMARY.values():
        for rtype in SUPPLY_CHAIN_TYPES:
            assert resources(stacks[stack], rtype), f"{rtype} missing from {stack}"
