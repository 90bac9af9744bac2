"""The synthesized S3 artifact buckets: secure defaults, lifecycle shapes, logging, replication, outputs."""

from __future__ import annotations

import json

import pytest

from tests.conftest import one, resources

PROD = "prod-ap-northeast-1"
PRIMARY = ("dev-ap-northeast-1", "stg-ap-northeast-1", PROD)
ACCOUNTS = {"dev": "111111111111", "stg": "222222222222", "prod": "123456789012"}


def names(stack) -> list[str]:
    return sorted(b["bucket"] for b in resources(stack, "aws_s3_bucket"))


def test_buckets_per_stack_are_globally_unique_by_name(stacks):
    for stack in PRIMARY:
        env = stack.split("-")[0]
        account = ACCOUNTS[env]
        expected = [
            f"acme-{env}-artifacts-{account}-ap-northeast-1",
            f"acme-{env}-artifacts-logs-{account}-ap-northeast-1",
        ]
        if env == "prod":
            expected.append(f"acme-prod-artifacts-{account}-us-west-2")
            expected.append(f"acme-prod-image-builder-logs-{account}-ap-northeast-1")  # Image Builder
        assert names(stacks[stack]) == sorted(expected)
    assert resources(stacks["prod-us-west-2"], "aws_s3_bucket") == []


@pytest.mark.parametrize("stack", PRIMARY)
def test_every_bucket_is_versioned_private_and_owner_enforced(stacks, stack):
    body = stacks[stack]
    count = len(resources(body, "aws_s3_bucket"))
    versioning = resources(body, "aws_s3_bucket_versioning")
    assert [v["versioning_configuration"] for v in versioning] == [{"status": "Enabled"}] * count
    blocks = resources(body, "aws_s3_bucket_public_access_block")
    assert len(blocks) == count
    for block in blocks:
        for flag in (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ):
            assert block[flag] is True
    ownership = resources(body, "aws_s3_bucket_ownership_controls")
    assert [o["rule"] for o in ownership] == [{"object_ownership": "BucketOwnerEnforced"}] * count


def test_artifact_bucket_uses_sse_kms_with_bucket_keys_and_logs_use_sse_s3(stacks):
    encryption = [  # the Image Builder log bucket is tested in test_imagebuilder_synth.py
        e
        for e in resources(stacks[PROD], "aws_s3_bucket_server_side_encryption_configuration")
        if "imagebuilder_" not in e["bucket"]
    ]
    by_algorithm: dict[str, list] = {}
    for enc in encryption:
        [rule] = enc["rule"]
        by_algorithm.setdefault(rule["apply_server_side_encryption_by_default"]["sse_algorithm"], []).append(
            rule
        )
    assert len(by_algorithm["aws:kms"]) == 2  # artifacts and replica, each with its own key
    for rule in by_algorithm["aws:kms"]:
        assert rule["bucket_key_enabled"] is True
        assert rule["apply_server_side_encryption_by_default"]["kms_master_key_id"].startswith(
            "${aws_kms_key."
        )
    keys = {
        r["apply_server_side_encryption_by_default"]["kms_master_key_id"] for r in by_algorithm["aws:kms"]
    }
    assert len(keys) == 2
    [logs] = by_algorithm["AES256"]  # server access log delivery needs SSE-S3 on the target
    assert "kms_master_key_id" not in logs["apply_server_side_encryption_by_default"]


def test_bucket_policies_deny_plain_http_and_tls_below_1_2(stacks):
    for stack in PRIMARY:
        policies = resources(stacks[stack], "aws_s3_bucket_policy")
        assert len(policies) == len(resources(stacks[stack], "aws_s3_bucket"))
        for policy in policies:
            text = policy["policy"]
            assert text.startswith("${jsonencode(")  # tokens inside: never json.dumps
            assert '"aws:SecureTransport" = "false"' in text
            assert '"s3:TlsVersion" = "1.2"' in text
            assert policy["depends_on"][0].startswith("aws_s3_bucket_public_access_block.")


def test_log_bucket_policy_lets_server_access_logging_write(stacks):
    texts = [p["policy"] for p in resources(stacks[PROD], "aws_s3_bucket_policy")]
    [log_policy] = [t for t in texts if "logging.s3.amazonaws.com" in t]
    assert '"aws:SourceAccount" = "123456789012"' in log_policy
    assert '"s3:PutObject"' in log_policy and "aws:SourceArn" in log_policy
    logging = one(stacks[PROD], "aws_s3_bucket_logging")
    assert logging["target_prefix"] == "access-logs/"
    assert logging["target_bucket"].startswith("${aws_s3_bucket.") and "logs" in logging["target_bucket"]


def test_reference_lifecycle_rules_and_filter_shapes(stacks):
    configs = resources(stacks[PROD], "aws_s3_bucket_lifecycle_configuration")
    [artifacts] = [c for c in configs if c["rule"][0]["id"] == "expire-noncurrent-versions"]
    rules = {r["id"]: r for r in artifacts["rule"]}
    assert rules["expire-noncurrent-versions"]["filter"] == [{}]
    assert rules["expire-noncurrent-versions"]["noncurrent_version_expiration"] == [{"noncurrent_days": 30}]
    assert rules["archive-tagged-objects"]["filter"] == [{"tag": [{"key": "Archive", "value": "true"}]}]
    assert rules["archive-tagged-objects"]["transition"] == [{"days": 90, "storage_class": "GLACIER"}]
    assert rules["abort-incomplete-uploads"]["abort_incomplete_multipart_upload"] == [
        {"days_after_initiation": 7}
    ]
    assert rules["abort-incomplete-uploads"]["filter"] == [{}]
    assert rules["expire-snapshots"]["filter"] == [{"prefix": "snapshots/"}]
    assert rules["expire-snapshots"]["expiration"] == [{"days": 90}]
    assert all(r["status"] == "Enabled" for r in rules.values())
    assert artifacts["depends_on"][0].startswith("aws_s3_bucket_versioning.")
    assert "null" not in json.dumps(configs)
    dev = resources(stacks["dev-ap-northeast-1"], "aws_s3_bucket_lifecycle_configuration")
    [snapshots] = [r for c in dev for r in c["rule"] if r["id"] == "expire-snapshots"]
    assert snapshots["expiration"] == [{"days": 14}]


def test_zero_day_transition_is_emitted_as_zero(config_dir, tmp_path):
    from core.synth import synthesize
    from tests.unit.helpers import edit, loads

    def change(d):
        d["artifact_bucket"]["lifecycle"][1]["transitions"] = [{"days": 0, "storage_class": "GLACIER"}]
        d["artifact_bucket"]["lifecycle"][0]["noncurrent_transitions"] = [
            {"days": 0, "storage_class": "GLACIER_IR"}
        ]

    edit(config_dir, "dev", change)
    envs = loads(config_dir).select(["dev"])
    synthesize(envs, envs, tmp_path / "out")
    body = json.loads((tmp_path / "out" / "stacks" / "dev-ap-northeast-1" / "cdk.tf.json").read_text())
    rules = {r["id"]: r for c in resources(body, "aws_s3_bucket_lifecycle_configuration") for r in c["rule"]}
    assert rules["archive-tagged-objects"]["transition"] == [{"days": 0, "storage_class": "GLACIER"}]
    assert rules["expire-noncurrent-versions"]["noncurrent_version_transition"] == [
        {"noncurrent_days": 0, "storage_class": "GLACIER_IR"}
    ]


def test_prod_replicates_releases_to_us_west_2_with_its_own_key(stacks):
    repl = one(stacks[PROD], "aws_s3_bucket_replication_configuration")
    [rule] = repl["rule"]
    assert rule["filter"] == {"prefix": "releases/"}
    assert rule["status"] == "Enabled"
    assert rule["delete_marker_replication"] == {"status": "Disabled"}
    assert rule["source_selection_criteria"] == {"sse_kms_encrypted_objects": {"status": "Enabled"}}
    assert rule["destination"]["bucket"].startswith("${aws_s3_bucket.artifacts_replica")
    assert rule["destination"]["encryption_configuration"]["replica_kms_key_id"].startswith(
        "${aws_kms_key.artifacts_replica-key"
    )
    assert len(repl["depends_on"]) == 2  # versioning on both sides first
    replica = one(stacks[PROD], "aws_s3_bucket", bucket="acme-prod-artifacts-123456789012-us-west-2")
    assert replica["provider"] == "aws.us-west-2"
    aliases = sorted(
        a["name"] for a in resources(stacks[PROD], "aws_kms_alias") if "imagebuilder" not in a["name"]
    )
    assert aliases == [
        "alias/acme-prod-artifacts-ap-northeast-1",
        "alias/acme-prod-artifacts-us-west-2",
        "alias/acme-prod-codeartifact",
        "alias/acme-prod-ecr-ap-northeast-1",
        "alias/acme-prod-scan-gate",
    ]
    role = one(stacks[PROD], "aws_iam_role", name="acme-prod-artifacts-replication")
    assert "s3.amazonaws.com" in role["assume_role_policy"]
    for stack in ("dev-ap-northeast-1", "stg-ap-northeast-1"):
        assert resources(stacks[stack], "aws_s3_bucket_replication_configuration") == []


def replica_lifecycle(stack) -> dict:
    [config] = [
        c
        for c in resources(stack, "aws_s3_bucket_lifecycle_configuration")
        if c["bucket"].startswith("${aws_s3_bucket.artifacts_replica_bucket_")
    ]
    return config


def test_replica_has_its_own_lifecycle_in_its_region(stacks):
    """Replication carries no lifecycle over: the replica's noncurrent versions must expire there."""
    config = replica_lifecycle(stacks[PROD])
    assert config["provider"] == "aws.us-west-2"
    [versioning] = config["depends_on"]
    assert versioning.startswith("aws_s3_bucket_versioning.artifacts_replica_versioning_")
    [rule] = config["rule"]
    assert rule == {
        "id": "replica-expire-noncurrent-versions",
        "status": "Enabled",
        "filter": [{}],
        "noncurrent_version_expiration": [{"noncurrent_days": 30}],  # the source's rule
        "expiration": [{"expired_object_delete_marker": True}],
        "abort_incomplete_multipart_upload": [{"days_after_initiation": 7}],  # the source's rule
    }
    # The same filter shape as the source's whole-bucket rules.
    source = {
        r["id"]: r
        for c in resources(stacks[PROD], "aws_s3_bucket_lifecycle_configuration")
        if c["bucket"].startswith("${aws_s3_bucket.artifacts_bucket_")
        for r in c["rule"]
    }
    assert rule["filter"] == source["expire-noncurrent-versions"]["filter"]
    assert rule["filter"] == source["abort-incomplete-uploads"]["filter"]
    for stack in ("dev-ap-northeast-1", "stg-ap-northeast-1"):  # no replica, no replica lifecycle
        assert len(resources(stacks[stack], "aws_s3_bucket_lifecycle_configuration")) == 2


def test_replica_lifecycle_follows_the_source_days(config_dir, tmp_path):
    from core.synth import synthesize
    from tests.unit.helpers import edit, loads

    def change(d):
        rules = {r["id"]: r for r in d["artifact_bucket"]["lifecycle"]}
        rules["expire-noncurrent-versions"]["noncurrent_expiration_days"] = 45
        rules["abort-incomplete-uploads"]["abort_incomplete_multipart_days"] = 3

    edit(config_dir, "prod", change)
    envs = loads(config_dir).select(["prod"])
    synthesize(envs, envs, tmp_path / "out")
    body = json.loads((tmp_path / "out" / "stacks" / PROD / "cdk.tf.json").read_text())
    [rule] = replica_lifecycle(body)["rule"]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 45}]
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 3}]


def test_outputs_name_arn_and_key(stacks):
    for stack in PRIMARY:
        outputs = stacks[stack]["output"]
        env = stack.split("-")[0]
        assert (
            outputs["artifact_bucket_name"]["value"] == f"acme-{env}-artifacts-{ACCOUNTS[env]}-ap-northeast-1"
        )
        assert outputs["artifact_bucket_arn"]["value"].endswith(".arn}")
        assert outputs["artifact_key_arn"]["value"].startswith("${aws_kms_key.artifacts_key")
    assert "artifact_replica_bucket_arn" in stacks[PROD]["output"]
    assert "artifact_bucket_name" not in stacks["prod-us-west-2"]["output"]
