"""Scan-findings gate: block an image with a CRITICAL finding and tell the security topic.

Invoked by EventBridge with one of two event shapes:

* BASIC scanning, source `aws.ecr`, detail-type `ECR Image Scan`: `detail` holds `repository-name`,
  `image-digest`, `image-tags` and `finding-severity-counts` (severity -> count);
* ENHANCED scanning, source `aws.inspector2`, detail-type `Inspector2 Finding`: `detail` holds
  `severity`, `title`, `findingArn` and `resources[]`, whose `AWS_ECR_CONTAINER_IMAGE` entry has
  `details.awsEcrContainerImage` (`repositoryName`, `imageHash`, `imageTags`).

A critical finding records the image in the blocked-images table (`TABLE_NAME`) under
`<repository>@<digest>` and under `<repository>:<tag>` for each tag, then publishes a short summary
to `TOPIC_ARN`. Records are updated, never overwritten (`UpdateItem`): `blocked_at` keeps the first
finding's time, `tags` and `finding_arns` are sets that only grow, and `counts` is the latest ECR
scan's severity totals or, for Inspector, the number of distinct CRITICAL findings (a finding ARN
already in the record is not counted again, so a redelivered event changes nothing but the
reason). A non-critical event does nothing. A malformed event is logged and dropped (a retry
would fail the same way); AWS errors propagate, so the invocation is retried and then dead-lettered.

Standard library and boto3 only (the Lambda runtime provides boto3).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3

LOG = logging.getLogger()
LOG.setLevel(logging.INFO)

ECR_SCAN = ("aws.ecr", "ECR Image Scan")
INSPECTOR_FINDING = ("aws.inspector2", "Inspector2 Finding")
ECR_IMAGE = "AWS_ECR_CONTAINER_IMAGE"
ECR_BASIC_SCAN = "ecr-basic-scan"  # the record's `source`; its counts are the scan's totals
INSPECTOR_SCAN = "inspector-enhanced-scan"  # one finding per event; counted per finding ARN


class MalformedEvent(ValueError):
    """The event lacks what the gate needs; logged, never retried."""


@dataclass(frozen=True)
class BlockedImage:
    repository: str
    digest: str
    tags: tuple[str, ...]
    counts: dict[str, int]
    source: str
    reason: str
    observed_at: str
    finding_arns: tuple[str, ...] = field(default=())

    @property
    def ref(self) -> str:
        return f"{self.repository}@{self.digest}"

    @property
    def refs(self) -> list[str]:
        """The keys it is recorded under: the digest first, then each tag."""
        return [self.ref, *(f"{self.repository}:{tag}" for tag in sorted(set(self.tags)))]


def _require(mapping: Any, key: str, kind: type, where: str) -> Any:
    if not isinstance(mapping, dict) or not isinstance(mapping.get(key), kind):
        raise MalformedEvent(f"{where}.{key}: expected {kind.__name__}")
    return mapping[key]


def _tags(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise MalformedEvent(f"{where}: expected a list of tags")
    return tuple(value)


def _from_ecr_scan(event: dict[str, Any], now: str) -> BlockedImage | None:
    detail = _require(event, "detail", dict, "event")
    counts = _require(detail, "finding-severity-counts", dict, "detail")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in counts.values()):
        raise MalformedEvent("detail.finding-severity-counts: expected integer counts")
    if counts.get("CRITICAL", 0) < 1:
        return None
    return BlockedImage(
        repository=_require(detail, "repository-name", str, "detail"),
        digest=_require(detail, "image-digest", str, "detail"),
        tags=_tags(detail.get("image-tags"), "detail.image-tags"),
        counts={k: int(v) for k, v in sorted(counts.items())},
        source=ECR_BASIC_SCAN,
        reason=f"ECR basic scan found {counts['CRITICAL']} CRITICAL vulnerabilities",
        observed_at=str(event.get("time") or now),
    )


def _from_inspector(event: dict[str, Any], now: str) -> BlockedImage | None:
    detail = _require(event, "detail", dict, "event")
    severity = _require(detail, "severity", str, "detail")
    resources = _require(detail, "resources", list, "detail")
    images = [r for r in resources if isinstance(r, dict) and r.get("type") == ECR_IMAGE]
    if not images:
        raise MalformedEvent(f"detail.resources: no {ECR_IMAGE} resource")
    if severity != "CRITICAL" or detail.get("status", "ACTIVE") != "ACTIVE":
        return None
    details = _require(images[0], "details", dict, "detail.resources[]")
    image = _require(details, "awsEcrContainerImage", dict, "detail.resources[].details")
    vulnerability = (detail.get("packageVulnerabilityDetails") or {}).get("vulnerabilityId")
    title = detail.get("title") or vulnerability or "a CRITICAL finding"
    finding_arn = detail.get("findingArn")
    return BlockedImage(
        repository=_require(image, "repositoryName", str, "awsEcrContainerImage"),
        digest=_require(image, "imageHash", str, "awsEcrContainerImage"),
        tags=_tags(image.get("imageTags"), "awsEcrContainerImage.imageTags"),
        counts={"CRITICAL": 1},
        source=INSPECTOR_SCAN,
        reason=f"Amazon Inspector: {title}",
        observed_at=str(event.get("time") or now),
        finding_arns=(finding_arn,) if isinstance(finding_arn, str) else (),
    )


def parse(event: Any, now: str | None = None) -> BlockedImage | None:
    """The image to block, None when the event has no critical finding; MalformedEvent otherwise."""
    now = now or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if not isinstance(event, dict):
        raise MalformedEvent("event: expected a JSON object")
    kind = (event.get("source"), event.get("detail-type"))
    if kind == ECR_SCAN:
        return _from_ecr_scan(event, now)
    if kind == INSPECTOR_FINDING:
        return _from_inspector(event, now)
    raise MalformedEvent(f"unexpected source/detail-type {kind!r}")


# Every attribute by placeholder: `source` (and others) are DynamoDB reserved words.
_NAMES = {f"#{name}": name for name in ("repository", "digest", "reason", "source", "blocked_at", "counts")}


def _record(image: BlockedImage) -> dict[str, Any]:
    """`UpdateItem` arguments (all but the table and key) that record the image on any earlier record."""
    values: dict[str, Any] = {
        ":repository": {"S": image.repository},
        ":digest": {"S": image.digest},
        ":reason": {"S": image.reason},
        ":source": {"S": image.source},
        ":observed_at": {"S": image.observed_at},
        ":counts": {"M": {k: {"N": str(v)} for k, v in image.counts.items()}},
    }
    sets = [
        "#repository = :repository",
        "#digest = :digest",
        "#reason = :reason",
        "#source = :source",
        "#blocked_at = if_not_exists(#blocked_at, :observed_at)",  # the first finding's time
    ]
    if image.source == ECR_BASIC_SCAN:
        sets.append("#counts = :counts")  # a scan reports the image's totals: the latest is right
    else:
        if image.finding_arns:  # _count_finding adds each distinct finding once
            values[":counts"] = {"M": {"CRITICAL": {"N": "0"}}}
        # without an ARN findings cannot be told apart: at least one
        sets.append("#counts = if_not_exists(#counts, :counts)")
    expression = "SET " + ", ".join(sets)
    names = dict(_NAMES)
    if image.tags:
        expression += " ADD #tags :tags"
        names["#tags"] = "tags"
        values[":tags"] = {"SS": sorted(set(image.tags))}
    return {
        "UpdateExpression": expression,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


def _count_finding(finding_arn: str) -> dict[str, Any]:
    """`UpdateItem` arguments that add one Inspector finding to a record, once: a finding already in
    `finding_arns` fails the condition (ConditionalCheckFailedException) and changes nothing."""
    return {
        "UpdateExpression": "ADD #finding_arns :arns, #counts.#critical :one",
        "ConditionExpression": "attribute_not_exists(#finding_arns) OR NOT contains(#finding_arns, :arn)",
        "ExpressionAttributeNames": {
            "#finding_arns": "finding_arns",
            "#counts": "counts",
            "#critical": "CRITICAL",
        },
        "ExpressionAttributeValues": {
            ":arns": {"SS": [finding_arn]},
            ":arn": {"S": finding_arn},
            ":one": {"N": "1"},
        },
    }


def record(dynamodb: Any, table: str, image: BlockedImage) -> None:
    """Record the image under each of its keys (see the module docstring)."""
    for ref in image.refs:
        key = {"image_ref": {"S": ref}}
        dynamodb.update_item(TableName=table, Key=key, **_record(image))
        for finding_arn in sorted(set(image.finding_arns)):
            try:
                dynamodb.update_item(TableName=table, Key=key, **_count_finding(finding_arn))
            except dynamodb.exceptions.ConditionalCheckFailedException:
                LOG.info("finding %s already recorded for %s", finding_arn, ref)


def summary(image: BlockedImage) -> tuple[str, str]:
    """(subject, message) for the topic: short enough for email and chat."""
    counts = ", ".join(f"{k}={v}" for k, v in image.counts.items())
    subject = f"Blocked image {image.repository}: CRITICAL findings"[:100]
    lines = [
        f"Image blocked: {image.ref}",
        f"Tags: {', '.join(image.tags) or '(none)'}",
        f"Why: {image.reason}",
        f"Counts: {counts}",
        f"Observed: {image.observed_at}",
        "Deploy jobs refuse it: python main.py check-image " + image.ref,
    ]
    return subject, "\n".join(lines)


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    try:
        image = parse(event)
    except MalformedEvent as exc:
        LOG.error("malformed event dropped: %s; event: %s", exc, json.dumps(event, default=str)[:2000])
        return {"status": "malformed", "error": str(exc)}
    if image is None:
        LOG.info("no critical finding: %s", json.dumps(event.get("detail"), default=str)[:500])
        return {"status": "ignored"}
    record(boto3.client("dynamodb"), os.environ["TABLE_NAME"], image)
    subject, message = summary(image)
    boto3.client("sns").publish(TopicArn=os.environ["TOPIC_ARN"], Subject=subject, Message=message)
    LOG.info("blocked %s (%s)", image.ref, image.reason)
    return {"status": "blocked", "image": image.ref}
