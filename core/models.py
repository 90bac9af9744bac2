"""The typed configuration: one `Environment` per file under config/environments/.

Models are frozen and reject unknown keys. Field-level rules live on the types (core/types.py);
rules that relate several fields or several environments live in core/rules.py.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.types import (
    AccountId,
    CodeArtifactDomainName,
    CodeArtifactRepositoryName,
    EcrRepositoryName,
    ExternalConnection,
    NamePart,
    OrgId,
    ProviderVersion,
    Region,
    RelativeDir,
    RoleArn,
    S3NamePart,
    SecretArn,
    TagKey,
    TagValue,
)

# Both the provider mirror's 5.100.0 and the 6.x series the prebuilt bindings target satisfy it.
DEFAULT_PROVIDER_VERSION = ">= 5.100, < 7.0"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


# --- state backends ---------------------------------------------------------------------------


class LocalBackend(Model):
    """State on disk, relative to the project root: the default, so a first run needs no cloud."""

    type: Literal["local"] = "local"
    directory: RelativeDir = Field(
        "state", description="Folder for state files, beside the output folder (the project root)."
    )


class S3Backend(Model):
    """One state object per stack: `<key_prefix>/<stack>.tfstate`."""

    type: Literal["s3"]
    bucket: str
    key_prefix: str = "artifact-platform"
    region: Region
    use_lockfile: bool = Field(True, description="S3-native locking (Terraform >= 1.10).")
    dynamodb_table: str | None = Field(None, description="Legacy DynamoDB lock table, if still used.")
    role_arn: RoleArn | None = Field(None, description="Role to assume for state access.")


class CloudBackend(Model):
    """HCP Terraform / Terraform Enterprise: one workspace per stack, `<workspace_prefix><stack>`."""

    type: Literal["cloud"]
    organization: str
    workspace_prefix: str = Field(..., description="Workspace name = prefix + stack name.")
    hostname: str = "app.terraform.io"


Backend = Annotated[LocalBackend | S3Backend | CloudBackend, Field(discriminator="type")]


# --- ECR ---------------------------------------------------------------------------------------


class LifecycleRule(Model):
    """One ECR lifecycle rule. Exactly one of `keep_last` and `expire_after_days`.

    Several `tag_prefixes` select only images carrying *all* of them (ECR semantics); to act on
    images with either prefix, write one rule per prefix.
    """

    description: str | None = Field(None, max_length=255)
    priority: int | None = Field(None, ge=1, le=999, description="Defaults to previous + 1.")
    tag_status: Literal["tagged", "untagged", "any"]
    tag_prefixes: tuple[str, ...] = ()
    tag_patterns: tuple[str, ...] = ()
    keep_last: int | None = Field(None, ge=1, description="Expire all but the newest N images.")
    expire_after_days: int | None = Field(None, ge=1, description="Expire images pushed N days ago.")


class PullAccess(Model):
    """Principals outside the account that may pull (cross-account pull)."""

    account_ids: tuple[AccountId, ...] = ()
    organization_id: OrgId | None = None


class RepositoryDefaults(Model):
    image_tag_mutability: Literal["IMMUTABLE", "MUTABLE"] = "IMMUTABLE"
    lifecycle: tuple[LifecycleRule, ...] = ()
    pull_access: PullAccess | None = None


class Repository(Model):
    name: EcrRepositoryName
    image_tag_mutability: Literal["IMMUTABLE", "MUTABLE"] | None = None
    lifecycle: tuple[LifecycleRule, ...] | None = Field(None, description="Replaces the defaults.")
    pull_access: PullAccess | None = None
    force_delete: bool = False


class Scanning(Model):
    type: Literal["BASIC", "ENHANCED"]
    frequency: Literal["SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL"]
    filters: tuple[str, ...] = Field(("*",), min_length=1)


class ReplicationDestination(Model):
    region: Region
    account_id: AccountId | None = Field(None, description="Defaults to the environment's account.")


class ReplicationRule(Model):
    destinations: tuple[ReplicationDestination, ...] = Field(..., min_length=1, max_length=25)
    prefix_filters: tuple[str, ...] = Field((), max_length=100)


class PullThroughCacheRule(Model):
    prefix: str
    upstream: str = Field(..., description="Upstream registry host, e.g. public.ecr.aws.")
    credential_secret_arn: SecretArn | None = None


class Registry(Model):
    """Registry-level settings: they exist once per account and region."""

    scanning: Scanning | None = None
    replication: tuple[ReplicationRule, ...] = Field((), max_length=10)
    pull_through_cache: tuple[PullThroughCacheRule, ...] = ()


class Ecr(Model):
    defaults: RepositoryDefaults = RepositoryDefaults()
    repositories: tuple[Repository, ...] = ()
    registry: Registry | None = Field(
        None, description="Omit when another stack owns this account's registry-level settings."
    )


# --- CodeArtifact ------------------------------------------------------------------------------


class CodeArtifactAccess(Model):
    """Principals allowed in a CodeArtifact permissions policy."""

    account_ids: tuple[AccountId, ...] = ()
    organization_id: OrgId | None = None
    role_arns: tuple[RoleArn, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.account_ids or self.organization_id or self.role_arns)


class CodeArtifactRepository(Model):
    """A repository: a store (one external connection) or an internal one (ordered upstreams)."""

    name: CodeArtifactRepositoryName
    description: str | None = Field(None, max_length=1000)
    external_connections: tuple[ExternalConnection, ...] = Field(
        (), description="At most one public registry, e.g. ['public:npmjs']."
    )
    upstreams: tuple[CodeArtifactRepositoryName, ...] = Field(
        (), description="Repositories of the same domain searched in this order (at most 10)."
    )
    read_access: CodeArtifactAccess | None = Field(
        None, description="Who may read; defaults to the domain's read_access."
    )
    publish_role_arns: tuple[RoleArn, ...] = Field((), description="Roles that may publish (CI).")


class CodeArtifact(Model):
    """One CodeArtifact domain in the primary region, encrypted with a customer-managed key."""

    domain: CodeArtifactDomainName
    encryption_key_arn: str | None = Field(
        None,
        description="KMS key ARN of an existing key; omit to let the stack create one. "
        "Must be a key ARN (an alias or key ID would force the domain to be replaced).",
    )
    read_access: CodeArtifactAccess = Field(
        CodeArtifactAccess(), description="Who may read the domain (get tokens, list repositories)."
    )
    repositories: tuple[CodeArtifactRepository, ...] = ()


# --- S3 artifact bucket ------------------------------------------------------------------------

# AWS's order from warmer to colder; a transition may only go further down this list.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
StorageClass = Literal[
    "STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"
]


class S3Transition(Model):
    """Move current objects to `storage_class` `days` after creation (0 = at once)."""

    days: int = Field(..., ge=0)
    storage_class: StorageClass


class S3NoncurrentTransition(Model):
    """Move noncurrent versions to `storage_class` `days` after they became noncurrent."""

    days: int = Field(..., ge=0)
    storage_class: StorageClass
    newer_versions: int | None = Field(None, ge=1, le=100, description="Keep this many newer ones.")


class S3LifecycleRule(Model):
    """One S3 lifecycle rule: a filter (prefix, tags, object sizes; none = whole bucket) and actions.

    The module emits exactly one filter shape: a lone condition as itself, several under `and`.
    """

    id: str = Field(..., min_length=1, max_length=255)
    enabled: bool = True
    prefix: str | None = Field(None, max_length=1024, description="Key prefix, e.g. 'snapshots/'.")
    tags: dict[TagKey, TagValue] = Field(default_factory=dict, description="Objects carrying all these tags.")
    object_size_greater_than: int | None = Field(None, ge=0, description="Bytes.")
    object_size_less_than: int | None = Field(None, ge=1, description="Bytes.")
    transitions: tuple[S3Transition, ...] = ()
    expiration_days: int | None = Field(
        None, ge=1, description="Expire current objects N days after creation."
    )
    expired_object_delete_marker: bool = Field(False, description="Remove delete markers with no versions.")
    noncurrent_transitions: tuple[S3NoncurrentTransition, ...] = ()
    noncurrent_expiration_days: int | None = Field(
        None, ge=1, description="Delete versions N days after they became noncurrent."
    )
    noncurrent_newer_versions: int | None = Field(
        None, ge=1, le=100, description="With noncurrent_expiration_days: keep this many newer versions."
    )
    abort_incomplete_multipart_days: int | None = Field(None, ge=1)


class S3Replication(Model):
    """Replicate objects under `prefix` to a bucket (with its own KMS key) in another region."""

    region: Region
    prefix: str = Field("releases/", max_length=1024)
    storage_class: Literal[
        "STANDARD",
        "STANDARD_IA",
        "INTELLIGENT_TIERING",
        "ONEZONE_IA",
        "GLACIER_IR",
        "GLACIER",
        "DEEP_ARCHIVE",
    ] = Field("STANDARD", description="Storage class of the replicas.")


class ArtifactBucket(Model):
    """The environment's artifact bucket: `{org}-{env}-{component}-{account}-{region}`.

    Layout: `releases/<version>/`, `snapshots/<branch>/<build>/`, `docker/<image>/<version>/`.
    """

    component: S3NamePart = Field("artifacts", description="Middle part of the bucket names.")
    versioning: bool = Field(True, description="Required by noncurrent-version rules and replication.")
    min_tls_version: Literal["1.2", "1.3"] | None = Field(
        None, description="Also deny requests below this TLS version (all non-TLS requests are denied)."
    )
    force_destroy: bool = False
    lifecycle: tuple[S3LifecycleRule, ...] = Field((), max_length=1000)
    access_log_expiration_days: int = Field(365, ge=1, description="Server access logs are kept this long.")
    replication: S3Replication | None = None


# --- environment ---------------------------------------------------------------------------------


class Environment(Model):
    """One deployable environment: an account, its regions and everything placed in them."""

    name: NamePart = Field(..., description="Set from the file name; do not write it in the file.")
    org: NamePart = Field(..., description="Prefix of every physical name: {org}-{env}-{component}.")
    account_id: AccountId
    deploy_role_arn: RoleArn | None = Field(None, description="Role the provider assumes.")
    primary_region: Region
    extra_regions: tuple[Region, ...] = ()
    default_tags: dict[TagKey, TagValue] = Field(default_factory=dict, max_length=45)
    backend: Backend = LocalBackend()
    aws_provider_version: ProviderVersion = DEFAULT_PROVIDER_VERSION
    ecr: Ecr = Ecr()
    codeartifact: CodeArtifact | None = Field(
        None, description="A CodeArtifact domain and its repositories; omit for none."
    )

    artifact_bucket: ArtifactBucket | None = Field(None, description="The S3 artifact bucket, if any.")
    prevent_destroy: bool = Field(
        False,
        description="Mark stateful resources (repositories, buckets, keys, domains) prevent_destroy: "
        "Terraform then refuses any plan that deletes or replaces them.",
    )

    @property
    def regions(self) -> tuple[str, ...]:
        return (self.primary_region, *self.extra_regions)
