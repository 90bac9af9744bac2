"""Image signing and the scan-findings gate: event patterns, IAM, topic and key policies.

Pure dicts. Event patterns keep numbers as JSON numbers (`{"numeric": [">=", 1]}`): they hold no
Terraform token, so the module serializes them with `json.dumps` at the boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from policies.iam import Document, account_root, document, statement

ScanningType = Literal["BASIC", "ENHANCED"]

# https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html (ECR Image Scan)
ECR_SCAN_SOURCE, ECR_SCAN_DETAIL_TYPE = "aws.ecr", "ECR Image Scan"
# https://docs.aws.amazon.com/inspector/latest/user/eventbridge-integration.html (Inspector2 Finding)
INSPECTOR_SOURCE, INSPECTOR_DETAIL_TYPE = "aws.inspector2", "Inspector2 Finding"
ECR_IMAGE_RESOURCE = "AWS_ECR_CONTAINER_IMAGE"
NOTATION_PLATFORM = "Notation-OCI-SHA384-ECDSA"
NOTATION_PLUGIN = "com.amazonaws.signer.notation.plugin"


def critical_ecr_scan_pattern() -> Document:
    """BASIC scanning: a completed ECR scan with at least one CRITICAL finding."""
    return {
        "source": [ECR_SCAN_SOURCE],
        "detail-type": [ECR_SCAN_DETAIL_TYPE],
        "detail": {
            "scan-status": ["COMPLETE"],
            "finding-severity-counts": {"CRITICAL": [{"numeric": [">=", 1]}]},
        },
    }


def critical_inspector_pattern() -> Document:
    """ENHANCED scanning: an active CRITICAL Amazon Inspector finding on an ECR image."""
    return {
        "source": [INSPECTOR_SOURCE],
        "detail-type": [INSPECTOR_DETAIL_TYPE],
        "detail": {
            "severity": ["CRITICAL"],
            "status": ["ACTIVE"],
            "resources": {"type": [ECR_IMAGE_RESOURCE]},
        },
    }


def gate_patterns(scanning_type: ScanningType | None) -> dict[str, Document]:
    """Rule suffix -> pattern for the registry's scanning type; both when the type is unknown.

    BASIC scanning emits only `ECR Image Scan` events; ENHANCED scanning emits Inspector findings
    and never an ECR scan event, so a rule for the other type would never fire.
    """
    patterns: dict[str, Document] = {}
    if scanning_type in (None, "BASIC"):
        patterns["critical-ecr-scan"] = critical_ecr_scan_pattern()
    if scanning_type in (None, "ENHANCED"):
        patterns["critical-inspector"] = critical_inspector_pattern()
    return patterns


def gate_function_policy(
    *, table_arn: str, topic_arn: str, key_arn: str, log_group_arn: str, dlq_arn: str
) -> Document:
    """The gate Lambda's role: update the table (never read or delete it), publish the topic, its key,
    its logs, its DLQ, traces."""
    return document(
        statement("RecordBlockedImage", ("dynamodb:UpdateItem",), [table_arn]),
        statement("PublishSummary", ("sns:Publish",), [topic_arn]),
        statement("UseGateKey", ("kms:Decrypt", "kms:GenerateDataKey"), [key_arn]),
        statement("WriteOwnLogs", ("logs:CreateLogStream", "logs:PutLogEvents"), [f"{log_group_arn}:*"]),
        statement("DeadLetter", ("sqs:SendMessage",), [dlq_arn]),
        # X-Ray tracing (mode Active); X-Ray has no resource-level permissions.
        statement("Tracing", ("xray:PutTelemetryRecords", "xray:PutTraceSegments"), "*"),
    )


def topic_policy(topic_arn: str, account_id: str, rule_arns: Sequence[str]) -> Document:
    """EventBridge may publish, only from the gate's rules; the account administers the topic."""
    return document(
        statement(
            "AccountAdministersTopic",
            (
                "sns:GetTopicAttributes",
                "sns:SetTopicAttributes",
                "sns:Subscribe",
                "sns:ListSubscriptionsByTopic",
                "sns:Publish",
            ),
            [topic_arn],
            principals={"AWS": account_root(account_id)},
        ),
        statement(
            "EventBridgePublishesFromGateRules",
            ("sns:Publish",),
            [topic_arn],
            principals={"Service": "events.amazonaws.com"},
            conditions={"ArnEquals": {"aws:SourceArn": list(rule_arns)}},
        ),
    )


def dlq_policy(queue_arn: str, rule_arns: Sequence[str]) -> Document:
    """The gate's dead-letter queue: EventBridge may send the events it could not deliver to a
    target, only from the gate's rules. (The Lambda sends its failed invocations with its role.)"""
    return document(
        statement(
            "EventBridgeDeadLettersFromGateRules",
            ("sqs:SendMessage",),
            [queue_arn],
            principals={"Service": "events.amazonaws.com"},
            conditions={"ArnEquals": {"aws:SourceArn": list(rule_arns)}},
        ),
    )


def gate_key_policy(account_id: str, region: str, log_group_arn: str) -> Document:
    """The gate's key: IAM administers it; EventBridge and SNS use it (encrypted topic, SQS
    subscribers); CloudWatch Logs uses it for the gate's log group only."""
    use = ("kms:Decrypt", "kms:GenerateDataKey*")
    return document(
        statement(
            "AccountAdministersKeyThroughIam", ("kms:*",), principals={"AWS": account_root(account_id)}
        ),
        statement(
            "EventBridgeAndSnsUseKey",
            use,
            principals={"Service": ["events.amazonaws.com", "sns.amazonaws.com"]},
            conditions={"StringEquals": {"aws:SourceAccount": account_id}},
        ),
        statement(
            "LogsEncryptGateLogGroup",
            ("kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"),
            principals={"Service": f"logs.{region}.amazonaws.com"},
            conditions={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arn}},
        ),
    )


def signing_policy(profile_arn: str) -> Document:
    """What the CI signing role needs for `notation sign` / `notation verify` with AWS Signer.

    The plugin signs with `SignPayload` on the profile and checks revocation with
    `GetRevocationStatus` (which takes no resource-level permission).
    """
    return document(
        statement("SignWithProfile", ("signer:GetSigningProfile", "signer:SignPayload"), [profile_arn]),
        statement("CheckRevocation", ("signer:GetRevocationStatus",), "*"),
    )


def trust_policy(profile_arns: Sequence[str], signing_authority: str = "aws-signer-ts") -> dict[str, Any]:
    """Notation's trustpolicy.json: trust only images signed with these signing profiles."""
    return {
        "version": "1.0",
        "trustPolicies": [
            {
                "name": "aws-signer-tp",
                "registryScopes": ["*"],
                "signatureVerification": {"level": "strict"},
                "trustStores": [f"signingAuthority:{signing_authority}"],
                "trustedIdentities": sorted(profile_arns),
            }
        ],
    }
