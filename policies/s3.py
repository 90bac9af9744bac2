"""S3 documents: lifecycle rules (Terraform's shape), bucket policies, the replication role's policy.

Lifecycle rules are built as plain dicts in the shape of `aws_s3_bucket_lifecycle_configuration`'s
`rule` block, so the filter shape and the zero-day values are unit-tested here; modules/s3.py turns
them into the provider's struct classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.models import S3LifecycleRule
from policies.iam import Document, document, statement

# https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
LOGGING_SERVICE = "logging.s3.amazonaws.com"


def _objects(bucket_arn: str) -> str:
    return f"{bucket_arn}/*"


def filter_shape(rule: S3LifecycleRule) -> Document:
    """Exactly one filter shape (AWS refuses more): a lone condition as itself, several under `and`.

    No condition at all gives the empty filter `{}`: the rule applies to the whole bucket.
    """
    conditions: Document = {}
    if rule.prefix is not None:
        conditions["prefix"] = rule.prefix
    if rule.tags:
        conditions["tags"] = dict(sorted(rule.tags.items()))
    if rule.object_size_greater_than is not None:
        conditions["object_size_greater_than"] = rule.object_size_greater_than
    if rule.object_size_less_than is not None:
        conditions["object_size_less_than"] = rule.object_size_less_than
    if len(conditions) > 1 or (len(conditions) == 1 and "tags" in conditions and len(rule.tags) > 1):
        return {"and": conditions}
    if "tags" in conditions:
        [(key, value)] = conditions["tags"].items()
        return {"tag": {"key": key, "value": value}}
    return conditions


def lifecycle_rule(rule: S3LifecycleRule) -> Document:
    """One `rule` block. Zero-day values stay 0 (`is not None` everywhere, never truthiness)."""
    out: Document = {
        "id": rule.id,
        "status": "Enabled" if rule.enabled else "Disabled",
        "filter": filter_shape(rule),
    }
    if rule.transitions:
        out["transition"] = [{"days": t.days, "storage_class": t.storage_class} for t in rule.transitions]
    if rule.expiration_days is not None:
        out["expiration"] = {"days": rule.expiration_days}
    elif rule.expired_object_delete_marker:
        out["expiration"] = {"expired_object_delete_marker": True}
    if rule.noncurrent_transitions:
        out["noncurrent_version_transition"] = [
            {"noncurrent_days": t.days, "storage_class": t.storage_class}
            | ({"newer_noncurrent_versions": t.newer_versions} if t.newer_versions is not None else {})
            for t in rule.noncurrent_transitions
        ]
    if rule.noncurrent_expiration_days is not None:
        expiration: Document = {"noncurrent_days": rule.noncurrent_expiration_days}
        if rule.noncurrent_newer_versions is not None:
            expiration["newer_noncurrent_versions"] = rule.noncurrent_newer_versions
        out["noncurrent_version_expiration"] = expiration
    if rule.abort_incomplete_multipart_days is not None:
        out["abort_incomplete_multipart_upload"] = {
            "days_after_initiation": rule.abort_incomplete_multipart_days
        }
    return out


def lifecycle_rules(rules: Sequence[S3LifecycleRule]) -> list[Document]:
    return [lifecycle_rule(r) for r in rules]


# The replica's lifecycle when the source has no rule to copy the days from.
REPLICA_NONCURRENT_DAYS = 30
REPLICA_ABORT_MULTIPART_DAYS = 7


def _covers(rule: S3LifecycleRule, prefix: str) -> bool:
    """Whether an enabled `rule` applies to every object under `prefix` (no tag or size filter)."""
    return (
        rule.enabled
        and not rule.tags
        and rule.object_size_greater_than is None
        and rule.object_size_less_than is None
        and (rule.prefix is None or prefix.startswith(rule.prefix))
    )


def replica_lifecycle_rule(source_rules: Sequence[S3LifecycleRule], prefix: str) -> S3LifecycleRule:
    """The replica bucket's one lifecycle rule (whole bucket: it holds only replicated `prefix`).

    Replication does not carry lifecycle actions over, and delete markers are not replicated
    (`delete_marker_replication` is Disabled, so the replica keeps current versions the source
    deletes). What would pile up are noncurrent versions (a replicated overwrite) and incomplete
    multipart uploads: they expire after the days of the source rule that covers every replicated
    object (the shortest, as S3 applies the shortest), else `REPLICA_NONCURRENT_DAYS` and
    `REPLICA_ABORT_MULTIPART_DAYS`. Expired delete markers (left once their versions expire) go too.
    """
    covering = [r for r in source_rules if _covers(r, prefix)]
    noncurrent = min(
        (r for r in covering if r.noncurrent_expiration_days is not None),
        key=lambda r: r.noncurrent_expiration_days or 0,
        default=None,
    )
    abort = min(
        (
            r.abort_incomplete_multipart_days
            for r in covering
            if r.abort_incomplete_multipart_days is not None
        ),
        default=REPLICA_ABORT_MULTIPART_DAYS,
    )
    return S3LifecycleRule(
        id="replica-expire-noncurrent-versions",
        noncurrent_expiration_days=(
            noncurrent.noncurrent_expiration_days if noncurrent is not None else REPLICA_NONCURRENT_DAYS
        ),
        noncurrent_newer_versions=noncurrent.noncurrent_newer_versions if noncurrent is not None else None,
        expired_object_delete_marker=True,
        abort_incomplete_multipart_days=abort,
    )


ACTION_KEYS = (
    "transition",
    "expiration",
    "noncurrent_version_transition",
    "noncurrent_version_expiration",
    "abort_incomplete_multipart_upload",
)


def secure_transport_statements(bucket_arn: str, min_tls_version: str | None) -> list[Document]:
    """Deny every request not made over TLS and, when set, over a TLS version below the minimum.

    https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html (s3:TlsVersion)
    """
    resources = [bucket_arn, _objects(bucket_arn)]
    out = [
        statement(
            "DenyInsecureTransport",
            ("s3:*",),
            resources,
            effect="Deny",
            principals={"AWS": "*"},
            conditions={"Bool": {"aws:SecureTransport": "false"}},
        )
    ]
    if min_tls_version is not None:
        out.append(
            statement(
                "DenyOutdatedTls",
                ("s3:*",),
                resources,
                effect="Deny",
                principals={"AWS": "*"},
                conditions={"NumericLessThan": {"s3:TlsVersion": min_tls_version}},
            )
        )
    return out


def bucket_policy(bucket_arn: str, min_tls_version: str | None = None) -> Document:
    """The artifact (and replica) bucket policy: TLS only."""
    return document(*secure_transport_statements(bucket_arn, min_tls_version))


def log_bucket_policy(
    log_bucket_arn: str,
    source_bucket_arns: Sequence[str],
    account_id: str,
    min_tls_version: str | None = None,
) -> Document:
    """TLS only, and S3 server access logging may write for the named source buckets of this account.

    https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general
    """
    sources: Any = list(source_bucket_arns) if len(source_bucket_arns) > 1 else source_bucket_arns[0]
    return document(
        *secure_transport_statements(log_bucket_arn, min_tls_version),
        statement(
            "S3ServerAccessLogsPolicy",
            ("s3:PutObject",),
            [_objects(log_bucket_arn)],
            principals={"Service": LOGGING_SERVICE},
            conditions={
                "ArnLike": {"aws:SourceArn": sources},
                "StringEquals": {"aws:SourceAccount": account_id},
            },
        ),
    )


def replication_role_policy(
    source_bucket_arn: str, source_key_arn: str, destination_bucket_arn: str, destination_key_arn: str
) -> Document:
    """What S3 needs to replicate KMS-encrypted objects from the source to the destination bucket.

    https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html
    """
    return document(
        statement(
            "ReadSourceConfiguration",
            ("s3:GetReplicationConfiguration", "s3:ListBucket"),
            [source_bucket_arn],
        ),
        statement(
            "ReadSourceVersions",
            (
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionTagging",
            ),
            [_objects(source_bucket_arn)],
        ),
        statement(
            "WriteReplicas",
            ("s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"),
            [_objects(destination_bucket_arn)],
        ),
        statement("DecryptSource", ("kms:Decrypt",), [source_key_arn]),
        statement("EncryptReplicas", ("kms:Encrypt", "kms:GenerateDataKey"), [destination_key_arn]),
    )
