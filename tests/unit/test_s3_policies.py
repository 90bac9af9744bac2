"""S3 document builders: lifecycle filter shapes and zero days, bucket and replication policies."""

from __future__ import annotations

from core.models import S3LifecycleRule
from policies.s3 import (
    REPLICA_ABORT_MULTIPART_DAYS,
    REPLICA_NONCURRENT_DAYS,
    bucket_policy,
    filter_shape,
    lifecycle_rule,
    log_bucket_policy,
    replica_lifecycle_rule,
    replication_role_policy,
)

ARN = "arn:aws:s3:::acme-dev-artifacts-111111111111-ap-northeast-1"
LOGS = "arn:aws:s3:::acme-dev-artifacts-logs-111111111111-ap-northeast-1"


def rule(**kw) -> S3LifecycleRule:
    return S3LifecycleRule(id="r", **kw)


def test_filter_has_exactly_one_shape():
    assert filter_shape(rule()) == {}
    assert filter_shape(rule(prefix="snapshots/")) == {"prefix": "snapshots/"}
    assert filter_shape(rule(tags={"Archive": "true"})) == {"tag": {"key": "Archive", "value": "true"}}
    assert filter_shape(rule(object_size_greater_than=0)) == {"object_size_greater_than": 0}
    assert filter_shape(rule(prefix="docker/", tags={"Archive": "true"})) == {
        "and": {"prefix": "docker/", "tags": {"Archive": "true"}}
    }
    assert filter_shape(rule(tags={"b": "2", "a": "1"})) == {"and": {"tags": {"a": "1", "b": "2"}}}


def test_zero_days_are_emitted_as_zero():
    doc = lifecycle_rule(
        rule(
            transitions=[{"days": 0, "storage_class": "INTELLIGENT_TIERING"}],
            noncurrent_transitions=[{"days": 0, "storage_class": "GLACIER"}],
        )
    )
    assert doc["transition"] == [{"days": 0, "storage_class": "INTELLIGENT_TIERING"}]
    assert doc["noncurrent_version_transition"] == [{"noncurrent_days": 0, "storage_class": "GLACIER"}]


def test_lifecycle_rule_actions():
    doc = lifecycle_rule(
        rule(
            prefix="snapshots/",
            enabled=False,
            expiration_days=14,
            noncurrent_expiration_days=30,
            noncurrent_newer_versions=3,
            abort_incomplete_multipart_days=7,
        )
    )
    assert doc == {
        "id": "r",
        "status": "Disabled",
        "filter": {"prefix": "snapshots/"},
        "expiration": {"days": 14},
        "noncurrent_version_expiration": {"noncurrent_days": 30, "newer_noncurrent_versions": 3},
        "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
    }
    assert lifecycle_rule(rule(expired_object_delete_marker=True))["expiration"] == {
        "expired_object_delete_marker": True
    }


def test_bucket_policy_denies_plain_http_and_old_tls():
    [plain] = bucket_policy(ARN)["Statement"]
    assert plain["Effect"] == "Deny" and plain["Action"] == ["s3:*"]
    assert plain["Resource"] == [ARN, f"{ARN}/*"]
    assert plain["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    _, tls = bucket_policy(ARN, "1.2")["Statement"]
    assert tls["Condition"] == {"NumericLessThan": {"s3:TlsVersion": "1.2"}}


def test_log_bucket_policy_lets_only_logging_of_our_bucket_write():
    doc = log_bucket_policy(LOGS, [ARN], "111111111111")
    allow = doc["Statement"][-1]
    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert allow["Action"] == ["s3:PutObject"] and allow["Resource"] == [f"{LOGS}/*"]
    assert allow["Condition"] == {
        "ArnLike": {"aws:SourceArn": ARN},
        "StringEquals": {"aws:SourceAccount": "111111111111"},
    }
    assert doc["Statement"][0]["Sid"] == "DenyInsecureTransport"


def test_replication_role_policy_reads_source_and_writes_replica():
    doc = replication_role_policy(ARN, "src-key", "arn:aws:s3:::replica", "dst-key")
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert by_sid["ReadSourceConfiguration"]["Resource"] == [ARN]
    assert "s3:GetObjectVersionForReplication" in by_sid["ReadSourceVersions"]["Action"]
    assert by_sid["WriteReplicas"]["Resource"] == ["arn:aws:s3:::replica/*"]
    assert by_sid["DecryptSource"]["Resource"] == ["src-key"]
    assert by_sid["EncryptReplicas"]["Action"] == ["kms:Encrypt", "kms:GenerateDataKey"]


def test_replica_lifecycle_takes_the_days_of_the_source_rules_covering_the_replicated_prefix():
    source = [
        S3LifecycleRule(id="noncurrent", noncurrent_expiration_days=45, noncurrent_newer_versions=2),
        S3LifecycleRule(id="releases", prefix="releases/", noncurrent_expiration_days=60),
        S3LifecycleRule(id="abort", prefix="rel", abort_incomplete_multipart_days=3),
    ]
    replica = replica_lifecycle_rule(source, "releases/")
    assert lifecycle_rule(replica) == {
        "id": "replica-expire-noncurrent-versions",
        "status": "Enabled",
        "filter": {},  # the whole replica, as the source's whole-bucket rules
        "expiration": {"expired_object_delete_marker": True},
        "noncurrent_version_expiration": {"noncurrent_days": 45, "newer_noncurrent_versions": 2},
        "abort_incomplete_multipart_upload": {"days_after_initiation": 3},
    }
    # The shortest covering rule wins, as in S3; its own newer-versions count goes with it.
    shorter = [*source, S3LifecycleRule(id="short", prefix="releases/", noncurrent_expiration_days=10)]
    replica = replica_lifecycle_rule(shorter, "releases/")
    assert (replica.noncurrent_expiration_days, replica.noncurrent_newer_versions) == (10, None)


def test_replica_lifecycle_ignores_rules_that_miss_some_replicated_objects():
    source = [
        S3LifecycleRule(id="other-prefix", prefix="snapshots/", noncurrent_expiration_days=1),
        S3LifecycleRule(id="narrower", prefix="releases/old/", noncurrent_expiration_days=2),
        S3LifecycleRule(id="tagged", tags={"Archive": "true"}, noncurrent_expiration_days=3),
        S3LifecycleRule(id="large", object_size_greater_than=1024, noncurrent_expiration_days=4),
        S3LifecycleRule(id="disabled", enabled=False, noncurrent_expiration_days=5),
        S3LifecycleRule(id="abort-snapshots", prefix="snapshots/", abort_incomplete_multipart_days=1),
    ]
    replica = replica_lifecycle_rule(source, "releases/")
    assert replica.noncurrent_expiration_days == REPLICA_NONCURRENT_DAYS == 30
    assert replica.noncurrent_newer_versions is None
    assert replica.abort_incomplete_multipart_days == REPLICA_ABORT_MULTIPART_DAYS == 7
    assert replica_lifecycle_rule((), "releases/") == replica
