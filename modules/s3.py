"""Amazon S3: the environment's artifact bucket, its access-log bucket and its optional replica.

Secure by default: versioning, SSE-KMS with a customer-managed key and bucket keys, all four
public-access blocks, `BucketOwnerEnforced`, a TLS-only bucket policy, server access logs to a log
bucket of the stack. The layout is `releases/<version>/`, `snapshots/<branch>/<build>/`,
`docker/<image>/<version>/`; lifecycle rules come typed from the config (policies/s3.py shapes them).
The replica gets its own lifecycle (noncurrent versions, incomplete uploads; `replica_lifecycle_rule`):
S3 replication does not carry lifecycle actions or, here, delete markers over.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.framework import Construct, Fn, aws
from core.models import ArtifactBucket as ArtifactBucketSettings
from core.models import Environment, S3LifecycleRule
from core.naming import bucket_name, escape, escape_all, physical_name
from modules.iam import service_role
from modules.kms import KmsKey
from policies.s3 import (
    bucket_policy,
    lifecycle_rule,
    log_bucket_policy,
    replica_lifecycle_rule,
    replication_role_policy,
)

LOG_PREFIX = "access-logs/"


def _filter(shape: dict[str, Any]) -> aws.S3BucketLifecycleConfigurationRuleFilter:
    if "and" in shape:
        return aws.S3BucketLifecycleConfigurationRuleFilter(
            and_=[aws.S3BucketLifecycleConfigurationRuleFilterAnd(**shape["and"])]
        )
    if "tag" in shape:
        return aws.S3BucketLifecycleConfigurationRuleFilter(
            tag=[aws.S3BucketLifecycleConfigurationRuleFilterTag(**shape["tag"])]
        )
    return aws.S3BucketLifecycleConfigurationRuleFilter(**shape)


def lifecycle_struct(rule: S3LifecycleRule) -> aws.S3BucketLifecycleConfigurationRule:
    """The provider's struct for one rule (plain dicts inside nested blocks can be dropped)."""
    doc = escape_all(lifecycle_rule(rule))  # ids, prefixes and tags are user text
    expiration = doc.get("expiration")
    noncurrent_expiration = doc.get("noncurrent_version_expiration")
    abort = doc.get("abort_incomplete_multipart_upload")
    return aws.S3BucketLifecycleConfigurationRule(
        id=doc["id"],
        status=doc["status"],
        filter=[_filter(doc["filter"])],
        transition=[aws.S3BucketLifecycleConfigurationRuleTransition(**t) for t in doc.get("transition", [])]
        or None,
        expiration=[aws.S3BucketLifecycleConfigurationRuleExpiration(**expiration)] if expiration else None,
        noncurrent_version_transition=[
            aws.S3BucketLifecycleConfigurationRuleNoncurrentVersionTransition(**t)
            for t in doc.get("noncurrent_version_transition", [])
        ]
        or None,
        noncurrent_version_expiration=[
            aws.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(**noncurrent_expiration)
        ]
        if noncurrent_expiration
        else None,
        abort_incomplete_multipart_upload=[
            aws.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(**abort)
        ]
        if abort
        else None,
    )


def log_expiry_rule(rule_id: str, days: int) -> S3LifecycleRule:
    """A log bucket's one rule: logs expire after `days`; old versions and stray uploads go at once."""
    return S3LifecycleRule(
        id=rule_id, expiration_days=days, noncurrent_expiration_days=1, abort_incomplete_multipart_days=1
    )


class PrivateBucket(Construct):
    """A bucket with versioning, default encryption, all public-access blocks, BucketOwnerEnforced.

    `key_arn` None means SSE-S3 (AES256): the only default encryption S3 server access logs can
    be delivered to.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        key_arn: str | None,
        versioning: bool = True,
        force_destroy: bool = False,
        provider: aws.AwsProvider | None = None,
    ) -> None:
        super().__init__(scope, id_)
        bucket = aws.S3Bucket(self, "bucket", bucket=name, force_destroy=force_destroy, provider=provider)
        self.versioning = aws.S3BucketVersioningA(
            self,
            "versioning",
            bucket=bucket.id,
            versioning_configuration=aws.S3BucketVersioningVersioningConfiguration(
                status="Enabled" if versioning else "Suspended"
            ),
            provider=provider,
        )
        default = (
            aws.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="aws:kms", kms_master_key_id=key_arn
            )
            if key_arn is not None
            else aws.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="AES256"
            )
        )
        aws.S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=bucket.id,
            rule=[
                aws.S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=default,
                    bucket_key_enabled=key_arn is not None,
                )
            ],
            provider=provider,
        )
        self.public_access_block = aws.S3BucketPublicAccessBlock(
            self,
            "public-access-block",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            provider=provider,
        )
        aws.S3BucketOwnershipControls(
            self,
            "ownership",
            bucket=bucket.id,
            rule=aws.S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
            provider=provider,
        )
        self.bucket_name: str = name
        self.bucket_id: str = bucket.id
        self.bucket_arn: str = bucket.arn
        self._provider = provider

    def add_lifecycle(self, rules: Sequence[S3LifecycleRule]) -> aws.S3BucketLifecycleConfiguration:
        """The bucket's lifecycle configuration, after versioning (noncurrent rules need it)."""
        return aws.S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=self.bucket_id,
            rule=[lifecycle_struct(r) for r in rules],
            depends_on=[self.versioning],
            provider=self._provider,
        )

    def attach_policy(self, document: dict[str, Any]) -> aws.S3BucketPolicy:
        """The bucket policy; it holds the bucket's ARN token, hence `Fn.jsonencode`."""
        return aws.S3BucketPolicy(
            self,
            "policy",
            bucket=self.bucket_id,
            policy=Fn.jsonencode(document),
            depends_on=[self.public_access_block],
            provider=self._provider,
        )


class ArtifactBucket(Construct):
    """The environment's artifact bucket, its log bucket, and (optionally) a replica in another region."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        env: Environment,
        settings: ArtifactBucketSettings,
        replica_provider: aws.AwsProvider | None = None,
    ) -> None:
        super().__init__(scope, id_)
        region = env.primary_region
        tls = settings.min_tls_version

        key = KmsKey(
            self,
            "key",
            env=env,
            purpose=f"{settings.component}-{region}",
            description=f"S3 artifacts of {env.name} in {region}",
        )
        logs = PrivateBucket(
            self,
            "logs",
            name=bucket_name(env, f"{settings.component}-logs", region),
            key_arn=None,
            force_destroy=settings.force_destroy,
        )
        bucket = PrivateBucket(
            self,
            "bucket",
            name=bucket_name(env, settings.component, region),
            key_arn=key.key_arn,
            versioning=settings.versioning,
            force_destroy=settings.force_destroy,
        )
        logs_policy = logs.attach_policy(
            log_bucket_policy(logs.bucket_arn, [bucket.bucket_arn], env.account_id, tls)
        )
        logs.add_lifecycle([log_expiry_rule("expire-access-logs", settings.access_log_expiration_days)])
        bucket.attach_policy(bucket_policy(bucket.bucket_arn, tls))
        aws.S3BucketLoggingA(
            bucket,
            "logging",
            bucket=bucket.bucket_id,
            target_bucket=logs.bucket_id,
            target_prefix=LOG_PREFIX,
            depends_on=[logs_policy],  # S3 checks that the log bucket lets the logging service write
        )
        if settings.lifecycle:
            bucket.add_lifecycle(settings.lifecycle)

        self.bucket_name = bucket.bucket_name
        self.bucket_arn = bucket.bucket_arn
        self.key_arn = key.key_arn
        self.log_bucket_name = logs.bucket_name
        self.replica_bucket_arn: str | None = None
        self.replica_key_arn: str | None = None
        if settings.replication is not None:
            assert replica_provider is not None, "replication needs the replica region's provider"
            self._replicate(env, settings, bucket, key.key_arn, replica_provider)

    def _replicate(
        self,
        env: Environment,
        settings: ArtifactBucketSettings,
        source: PrivateBucket,
        source_key_arn: str,
        provider: aws.AwsProvider,
    ) -> None:
        replication = settings.replication
        assert replication is not None
        region = replication.region
        key = KmsKey(
            self,
            "replica-key",
            env=env,
            purpose=f"{settings.component}-{region}",
            description=f"S3 artifact replicas of {env.name} in {region}",
            provider=provider,
        )
        replica = PrivateBucket(
            self,
            "replica",
            name=bucket_name(env, settings.component, region),
            key_arn=key.key_arn,
            force_destroy=settings.force_destroy,
            provider=provider,
        )
        replica.attach_policy(bucket_policy(replica.bucket_arn, settings.min_tls_version))
        replica.add_lifecycle([replica_lifecycle_rule(settings.lifecycle, replication.prefix)])
        role, _ = service_role(
            self,
            "replication-role",
            name=physical_name(env, f"{settings.component}-replication"),
            description=escape(f"Lets S3 replicate {replication.prefix} to {replica.bucket_name}"),
            service="s3.amazonaws.com",
            policy=replication_role_policy(
                source.bucket_arn, source_key_arn, replica.bucket_arn, key.key_arn
            ),
            policy_name="replicate",
        )
        aws.S3BucketReplicationConfigurationA(
            self,
            "replication",
            bucket=source.bucket_id,
            role=role.arn,
            rule=[
                aws.S3BucketReplicationConfigurationRule(
                    id=escape(f"replicate-{replication.prefix.strip('/').replace('/', '-') or 'all'}"),
                    status="Enabled",
                    priority=1,
                    filter=aws.S3BucketReplicationConfigurationRuleFilter(prefix=escape(replication.prefix)),
                    delete_marker_replication=aws.S3BucketReplicationConfigurationRuleDeleteMarkerReplication(
                        status="Disabled"
                    ),
                    source_selection_criteria=aws.S3BucketReplicationConfigurationRuleSourceSelectionCriteria(
                        sse_kms_encrypted_objects=aws.S3BucketReplicationConfigurationRuleSourceSelectionCriteriaSseKmsEncryptedObjects(
                            status="Enabled"
                        )
                    ),
                    destination=aws.S3BucketReplicationConfigurationRuleDestination(
                        bucket=replica.bucket_arn,
                        storage_class=replication.storage_class,
                        encryption_configuration=aws.S3BucketReplicationConfigurationRuleDestinationEncryptionConfiguration(
                            replica_kms_key_id=key.key_arn
                        ),
                    ),
                )
            ],
            depends_on=[source.versioning, replica.versioning],
        )
        self.replica_bucket_arn = replica.bucket_arn
        self.replica_key_arn = key.key_arn
