"""The scan-gate Lambda against a fake AWS (moto): both event shapes, critical, non-critical, malformed."""

from __future__ import annotations

import copy
import json
import logging

import boto3
import pytest
from moto import mock_aws

from functions.scan_gate import handler as gate
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
REGION = "ap-northeast-1"
TABLE = "acme-dev-blocked-images"


def sample(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


ECR = sample("ecr_image_scan_critical.json")
INSPECTOR = sample("inspector2_finding_critical_ecr_image.json")


@pytest.fixture
def aws(monkeypatch):
    """A table and topic like the stack's; an SQS queue subscribed to read what was published."""
    for var, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "TABLE_NAME": TABLE,
    }.items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "image_ref", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "image_ref", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        sns = boto3.client("sns", region_name=REGION)
        topic = sns.create_topic(Name="acme-dev-scan-findings")["TopicArn"]
        sqs = boto3.client("sqs", region_name=REGION)
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        monkeypatch.setenv("TOPIC_ARN", topic)

        def published() -> list[dict]:
            messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
            return [json.loads(m["Body"]) for m in messages]

        def item(ref: str) -> dict | None:
            return dynamodb.get_item(TableName=TABLE, Key={"image_ref": {"S": ref}}).get("Item")

        yield type("Aws", (), {"published": staticmethod(published), "item": staticmethod(item)})


def test_critical_ecr_basic_scan_blocks_digest_and_tags_and_alerts(aws):
    digest = ECR["detail"]["image-digest"]
    assert gate.handler(ECR) == {"status": "blocked", "image": f"my-app@{digest}"}
    for ref in (f"my-app@{digest}", "my-app:1.2.3", "my-app:latest"):
        item = aws.item(ref)
        assert item is not None, ref
        assert item["repository"] == {"S": "my-app"} and item["digest"] == {"S": digest}
        assert item["counts"]["M"]["CRITICAL"] == {"N": "2"} and item["counts"]["M"]["HIGH"] == {"N": "5"}
        assert set(item["tags"]["SS"]) == {"1.2.3", "latest"}
        assert item["blocked_at"] == {"S": "2026-12-01T10:00:00Z"}
        assert item["source"] == {"S": "ecr-basic-scan"}
    [message] = aws.published()
    assert message["Subject"] == "Blocked image my-app: CRITICAL findings"
    assert f"Image blocked: my-app@{digest}" in message["Message"]
    assert "CRITICAL=2" in message["Message"] and "Tags: 1.2.3, latest" in message["Message"]


def test_critical_inspector_finding_for_an_ecr_image_blocks_it(aws):
    digest = INSPECTOR["detail"]["resources"][0]["details"]["awsEcrContainerImage"]["imageHash"]
    assert gate.handler(INSPECTOR)["status"] == "blocked"
    item = aws.item(f"my-app@{digest}")
    assert item is not None
    assert item["reason"] == {"S": "Amazon Inspector: CVE-2024-3094 - xz-utils"}
    assert item["finding_arns"]["SS"] == [INSPECTOR["detail"]["findingArn"]]
    assert aws.item("my-app:2.0.0") is not None
    [message] = aws.published()
    assert "CVE-2024-3094" in message["Message"]


def finding(arn_suffix: str, time: str, title: str, tags: list[str]) -> dict:
    """Another CRITICAL Inspector finding on the sample image."""
    event = copy.deepcopy(INSPECTOR)
    event["time"] = time
    event["detail"]["findingArn"] = INSPECTOR["detail"]["findingArn"][:-4] + arn_suffix
    event["detail"]["title"] = title
    event["detail"]["resources"][0]["details"]["awsEcrContainerImage"]["imageTags"] = tags
    return event


INSPECTOR_DIGEST = INSPECTOR["detail"]["resources"][0]["details"]["awsEcrContainerImage"]["imageHash"]


def test_two_inspector_findings_for_one_image_keep_the_first_time_and_both_arns(aws):
    first_arn = INSPECTOR["detail"]["findingArn"]
    second = finding("ffff", "2026-12-02T09:30:00Z", "CVE-2024-6387 - openssh", ["2.0.0", "stable"])
    second_arn = second["detail"]["findingArn"]
    assert second_arn != first_arn
    assert gate.handler(INSPECTOR)["status"] == "blocked"
    assert gate.handler(second)["status"] == "blocked"
    for ref in (f"my-app@{INSPECTOR_DIGEST}", "my-app:2.0.0"):
        item = aws.item(ref)
        assert item is not None, ref
        assert item["blocked_at"] == {"S": "2026-12-01T11:00:00Z"}, ref  # the first finding's time
        assert sorted(item["finding_arns"]["SS"]) == sorted([first_arn, second_arn]), ref
        assert item["counts"] == {"M": {"CRITICAL": {"N": "2"}}}, ref  # two distinct findings
        assert item["reason"] == {"S": "Amazon Inspector: CVE-2024-6387 - openssh"}  # the latest
        assert item["source"] == {"S": "inspector-enhanced-scan"}
        assert item["digest"] == {"S": INSPECTOR_DIGEST}
        assert set(item["tags"]["SS"]) == {"2.0.0", "stable"}
    stable = aws.item("my-app:stable")  # a tag first seen with the second finding
    assert stable is not None
    assert stable["blocked_at"] == {"S": "2026-12-02T09:30:00Z"}
    assert stable["finding_arns"]["SS"] == [second_arn] and stable["counts"]["M"]["CRITICAL"] == {"N": "1"}
    assert len(aws.published()) == 2


def test_a_redelivered_finding_is_counted_once_and_still_alerts(aws):
    assert gate.handler(INSPECTOR)["status"] == "blocked"
    again = copy.deepcopy(INSPECTOR)
    again["time"] = "2026-12-03T00:00:00Z"  # Inspector re-sends a finding when it is updated
    assert gate.handler(again)["status"] == "blocked"
    item = aws.item(f"my-app@{INSPECTOR_DIGEST}")
    assert item is not None
    assert item["finding_arns"]["SS"] == [INSPECTOR["detail"]["findingArn"]]
    assert item["counts"] == {"M": {"CRITICAL": {"N": "1"}}}
    assert item["blocked_at"] == {"S": "2026-12-01T11:00:00Z"}
    assert len(aws.published()) == 2  # a retry after a failed publish must publish


def test_a_later_ecr_scan_keeps_the_first_time_and_reports_the_latest_totals(aws):
    assert gate.handler(ECR)["status"] == "blocked"
    rescan = copy.deepcopy(ECR)
    rescan["time"] = "2026-12-05T08:00:00Z"
    rescan["detail"]["finding-severity-counts"] = {"CRITICAL": 3, "HIGH": 1}
    rescan["detail"]["image-tags"] = ["1.2.3"]
    assert gate.handler(rescan)["status"] == "blocked"
    item = aws.item(f"my-app@{ECR['detail']['image-digest']}")
    assert item is not None
    assert item["blocked_at"] == {"S": "2026-12-01T10:00:00Z"}
    assert item["counts"] == {"M": {"CRITICAL": {"N": "3"}, "HIGH": {"N": "1"}}}
    assert item["reason"] == {"S": "ECR basic scan found 3 CRITICAL vulnerabilities"}
    assert set(item["tags"]["SS"]) == {"1.2.3", "latest"}  # tags only accumulate
    assert "finding_arns" not in item


def test_non_critical_events_block_nothing(aws):
    ecr = copy.deepcopy(ECR)
    ecr["detail"]["finding-severity-counts"] = {"HIGH": 3, "MEDIUM": 1}
    inspector = copy.deepcopy(INSPECTOR)
    inspector["detail"]["severity"] = "HIGH"
    closed = copy.deepcopy(INSPECTOR)
    closed["detail"]["status"] = "CLOSED"
    for event in (ecr, inspector, closed):
        assert gate.handler(event) == {"status": "ignored"}
    assert aws.item(f"my-app@{ECR['detail']['image-digest']}") is None
    assert aws.published() == []


@pytest.mark.parametrize(
    "mutate",
    [
        lambda e: e.pop("detail"),
        lambda e: e["detail"].pop("repository-name"),
        lambda e: e["detail"].update({"finding-severity-counts": {"CRITICAL": "two"}}),
        lambda e: e["detail"].update({"image-tags": "latest"}),
        lambda e: e.update({"source": "aws.s3"}),
    ],
    ids=["no-detail", "no-repository", "count-not-a-number", "tags-not-a-list", "other-source"],
)
def test_malformed_ecr_events_are_logged_not_raised(aws, caplog, mutate):
    event = copy.deepcopy(ECR)
    mutate(event)
    with caplog.at_level(logging.ERROR):
        result = gate.handler(event)
    assert result["status"] == "malformed"
    assert "malformed event dropped" in caplog.text
    assert aws.published() == []


def test_malformed_inspector_events_and_non_objects_are_logged(aws, caplog):
    no_image = copy.deepcopy(INSPECTOR)
    no_image["detail"]["resources"][0]["type"] = "AWS_EC2_INSTANCE"
    no_hash = copy.deepcopy(INSPECTOR)
    del no_hash["detail"]["resources"][0]["details"]["awsEcrContainerImage"]["imageHash"]
    with caplog.at_level(logging.ERROR):
        for event in (no_image, no_hash, "not json", None, []):
            assert gate.handler(event)["status"] == "malformed"
    assert caplog.text.count("malformed event dropped") == 5
    assert aws.published() == []


def test_aws_errors_propagate_so_the_invocation_is_retried_and_dead_lettered(aws, monkeypatch):
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    with pytest.raises(Exception, match=r"ResourceNotFound|not found|Requested resource"):
        gate.handler(ECR)
