"""S3 artifact bucket rules enforced at load time: names, lifecycle grammar, replication."""

from __future__ import annotations

from core.rules import s3_bucket_name_problem
from tests.unit.helpers import edit, error_for, loads


def lifecycle(d):
    return d["artifact_bucket"]["lifecycle"]


def test_reference_bucket_names_include_account_and_region(config_dir):
    from core.rules import artifact_bucket_names

    [prod] = loads(config_dir).select(["prod"])
    assert artifact_bucket_names(prod) == {
        "bucket": "acme-prod-artifacts-123456789012-ap-northeast-1",
        "log bucket": "acme-prod-artifacts-logs-123456789012-ap-northeast-1",
        "replica bucket": "acme-prod-artifacts-123456789012-us-west-2",
    }


def test_rejects_bucket_name_longer_than_63_characters(config_dir):
    edit(config_dir, "prod", lambda d: d["artifact_bucket"].update(component="release-artifacts-store"))
    message = error_for(config_dir, "[S3-BUCKET-NAME]")
    assert (
        "artifact_bucket.component: the log bucket name must be 3-63 characters, this one has 66" in message
    )
    assert "got 'acme-prod-release-artifacts-store-logs-123456789012-ap-northeast-1'" in message


def test_rejects_reserved_prefix_in_bucket_name(config_dir):
    edit(config_dir, "dev", lambda d: d.update(org="xn--acme"))
    assert "must not start with the reserved prefix 'xn--'" in error_for(config_dir, "[S3-BUCKET-NAME]")


def test_bucket_name_rules():
    assert s3_bucket_name_problem("acme-dev-artifacts-111111111111-ap-northeast-1") is None
    assert "reserved prefix 'sthree-'" in (s3_bucket_name_problem("sthree-x") or "")
    assert "reserved prefix 'amzn-s3-demo-'" in (s3_bucket_name_problem("amzn-s3-demo-bucket") or "")
    for suffix in ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"):
        assert f"reserved suffix '{suffix}'" in (s3_bucket_name_problem(f"acme{suffix}") or ""), suffix
    assert "IP address" in (s3_bucket_name_problem("192.168.5.4") or "")
    assert "two adjacent periods" in (s3_bucket_name_problem("a..b") or "")
    assert "lowercase" in (s3_bucket_name_problem("Acme-bucket") or "")


def test_rejects_bad_component(config_dir):
    edit(config_dir, "dev", lambda d: d["artifact_bucket"].update(component="Artifacts_1"))
    assert "artifact_bucket.component: must be 1-30 lowercase" in error_for(config_dir, "[S3-NAME-PART]")


def test_rejects_abort_multipart_filtered_by_tag(config_dir):
    edit(config_dir, "dev", lambda d: lifecycle(d)[1].update(abort_incomplete_multipart_days=7))
    message = error_for(config_dir, "[S3-LC-TAG-ACTIONS]")
    assert (
        "artifact_bucket.lifecycle[1].abort_incomplete_multipart_days: cannot be combined with a tag filter"
        in (message)
    )


def test_accepts_abort_multipart_filtered_by_prefix(config_dir):
    edit(config_dir, "dev", lambda d: lifecycle(d)[3].update(abort_incomplete_multipart_days=3))
    [dev] = loads(config_dir).select(["dev"])
    assert dev.artifact_bucket is not None
    assert dev.artifact_bucket.lifecycle[3].abort_incomplete_multipart_days == 3


def test_rejects_expired_delete_marker_with_tags(config_dir):
    edit(config_dir, "dev", lambda d: lifecycle(d)[1].update(expired_object_delete_marker=True))
    assert "expired_object_delete_marker: cannot be combined with a tag filter" in error_for(
        config_dir, "[S3-LC-TAG-ACTIONS]"
    )


def test_rejects_expired_delete_marker_with_expiration_days(config_dir):
    edit(config_dir, "dev", lambda d: lifecycle(d)[3].update(expired_object_delete_marker=True))
    assert "cannot be combined with expiration_days" in error_for(config_dir, "[S3-LC-DELETE-MARKER]")


def test_accepts_expired_delete_marker_alone(config_dir):
    edit(
        config_dir,
        "dev",
        lambda d: lifecycle(d).append({"id": "markers", "expired_object_delete_marker": True}),
    )
    assert loads(config_dir).select(["dev"])[0].artifact_bucket.lifecycle[-1].expired_object_delete_marker


def test_rejects_transition_to_a_warmer_class(config_dir):
    def change(d):
        lifecycle(d)[1]["transitions"] = [
            {"days": 30, "storage_class": "GLACIER"},
            {"days": 60, "storage_class": "STANDARD_IA"},
        ]

    edit(config_dir, "dev", change)
    message = error_for(config_dir, "[S3-LC-TRANSITION]")
    assert "lifecycle[1].transitions[1].storage_class: cannot follow GLACIER" in message
    assert "to DEEP_ARCHIVE, got 'STANDARD_IA'" in message


def test_rejects_onezone_ia_to_glacier_ir(config_dir):
    def change(d):
        lifecycle(d)[1]["transitions"] = [
            {"days": 30, "storage_class": "ONEZONE_IA"},
            {"days": 60, "storage_class": "GLACIER_IR"},
        ]

    edit(config_dir, "dev", change)
    assert "cannot follow ONEZONE_IA" in error_for(config_dir, "[S3-LC-TRANSITION]")


def test_rejects_transition_days_that_do_not_increase(config_dir):
    def change(d):
        lifecycle(d)[1]["transitions"] = [
            {"days": 90, "storage_class": "STANDARD_IA"},
            {"days": 90, "storage_class": "GLACIER"},
        ]

    edit(config_dir, "dev", change)
    message = error_for(config_dir, "[S3-LC-TRANSITION]")
    assert "transitions[1].days: must be greater than the previous transition's days (90), got 90" in message


def test_accepts_early_standard_ia_transition_since_aws_dropped_the_30_day_minimum(config_dir):
    def change(d):
        lifecycle(d)[3]["transitions"] = [
            {"days": 1, "storage_class": "STANDARD_IA"},
            {"days": 7, "storage_class": "ONEZONE_IA"},
        ]
        lifecycle(d)[3]["expiration_days"] = 60

    edit(config_dir, "dev", change)
    project = loads(config_dir)
    assert project.select(["dev"])[0].artifact_bucket.lifecycle[3].transitions[0].days == 1
    # valid, but leaving STANDARD_IA after 6 days is charged for 30: a warning, never an error
    [warning] = [w for w in project.warnings if w.rule == "S3-LC-MIN-STORAGE"]
    assert "stay in STANDARD_IA 6 days, less than its 30-day minimum" in warning.render()


def test_accepts_zero_day_transition(config_dir):
    edit(
        config_dir,
        "dev",
        lambda d: lifecycle(d)[1].update(transitions=[{"days": 0, "storage_class": "GLACIER"}]),
    )
    assert loads(config_dir).select(["dev"])[0].artifact_bucket.lifecycle[1].transitions[0].days == 0


def test_rejects_zero_day_expiration(config_dir):
    edit(config_dir, "dev", lambda d: lifecycle(d)[3].update(expiration_days=0))
    assert "lifecycle[3].expiration_days: must be at least 1, got 0" in error_for(
        config_dir, "expiration_days"
    )


def test_rejects_expiration_before_last_transition(config_dir):
    def change(d):
        lifecycle(d)[3]["transitions"] = [{"days": 30, "storage_class": "GLACIER"}]
        lifecycle(d)[3]["expiration_days"] = 30

    edit(config_dir, "dev", change)
    assert "expiration_days: must be greater than the last transition's days (30), got 30" in error_for(
        config_dir, "[S3-LC-EXPIRATION]"
    )


def test_rejects_noncurrent_expiration_before_last_noncurrent_transition(config_dir):
    edit(
        config_dir,
        "dev",
        lambda d: lifecycle(d)[0].update(
            noncurrent_transitions=[{"days": 30, "storage_class": "GLACIER_IR"}]
        ),
    )
    assert "noncurrent_expiration_days: must be greater than the last noncurrent transition's days (30)" in (
        error_for(config_dir, "[S3-LC-EXPIRATION]")
    )


def test_rejects_noncurrent_rules_without_versioning(config_dir):
    edit(config_dir, "dev", lambda d: d["artifact_bucket"].update(versioning=False))
    message = error_for(config_dir, "[S3-LC-VERSIONING]")
    assert (
        "lifecycle[0].noncurrent_expiration_days: acts on versions, but artifact_bucket.versioning is false"
        in (message)
    )


def test_rejects_rule_without_action(config_dir):
    edit(config_dir, "dev", lambda d: lifecycle(d).append({"id": "nothing", "prefix": "docker/"}))
    assert "lifecycle[4]: must have an action" in error_for(config_dir, "[S3-LC-ACTION]")


def test_rejects_duplicate_rule_ids(config_dir):
    edit(config_dir, "dev", lambda d: lifecycle(d)[1].update(id="expire-snapshots"))
    assert "lifecycle[3].id: must be unique" in error_for(config_dir, "[S3-LC-ID]")


def test_rejects_inverted_size_filter(config_dir):
    edit(
        config_dir,
        "dev",
        lambda d: lifecycle(d)[3].update(object_size_greater_than=1000, object_size_less_than=10),
    )
    assert "object_size_less_than: must be greater than object_size_greater_than (1000)" in error_for(
        config_dir, "[S3-LC-FILTER]"
    )


def test_accepts_size_range_filter(config_dir):
    edit(
        config_dir,
        "dev",
        lambda d: lifecycle(d)[3].update(object_size_greater_than=10, object_size_less_than=1000),
    )
    assert loads(config_dir).select(["dev"])[0].artifact_bucket.lifecycle[3].object_size_less_than == 1000


def test_rejects_replication_without_versioning(config_dir):
    edit(config_dir, "prod", lambda d: d["artifact_bucket"].update(versioning=False))
    message = error_for(config_dir, "[S3-REPL]")
    assert (
        "artifact_bucket.versioning: must be true: replication requires versioning on the source" in message
    )


def test_rejects_replication_to_the_primary_region(config_dir):
    edit(config_dir, "prod", lambda d: d["artifact_bucket"]["replication"].update(region="ap-northeast-1"))
    assert "replication.region: must differ from primary_region" in error_for(config_dir, "[S3-REPL]")


def test_rejects_unknown_storage_class(config_dir):
    edit(
        config_dir,
        "dev",
        lambda d: lifecycle(d)[1].update(transitions=[{"days": 90, "storage_class": "COLD"}]),
    )
    assert "transitions[0].storage_class: must be one of" in error_for(config_dir, "storage_class")


def test_rejects_unknown_tls_version(config_dir):
    edit(config_dir, "dev", lambda d: d["artifact_bucket"].update(min_tls_version="1.1"))
    assert "artifact_bucket.min_tls_version: must be one of" in error_for(config_dir, "min_tls_version")
