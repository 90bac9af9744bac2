"""The typed configuration: one `Environment` per file under config/environments/.

Models are frozen and reject unknown keys. Field-level rules live on the types (core/types.py);
rules that relate several fields or several environments live in core/rules.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    ValidationInfo,
    model_validator,
)

from core.types import (
    AccountId,
    CodeArtifactDomainName,
    CodeArtifactRepositoryName,
    CronExpression,
    EcrRepositoryName,
    ExternalConnection,
    ImageBuilderName,
    InstanceType,
    KmsKeyArn,
    LogRetentionDays,
    NamePart,
    OrgArn,
    OrgId,
    ProviderVersion,
    Region,
    RelativeDir,
    RelativeFile,
    RoleArn,
    S3NamePart,
    SecretArn,
    SecurityGroupId,
    SemanticVersion,
    SubnetId,
    TagKey,
    TagValue,
    WorkingDirectory,
)

# Both the provider mirror's 5.100.0 and the 6.x series the prebuilt bindings target satisfy it.
DEFAULT_PROVIDER_VERSION = ">= 5.100, < 7.0"


class Model(BaseModel):
    # Numbers and booleans are strict (StrictInt, StrictBool): `keep_last: true` or
    # `prevent_destroy: "off"` are errors, not 1 and False. Strings, enums and lists keep pydantic's
    # lax mode because YAML gives lists where the models hold tuples.
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
    use_lockfile: StrictBool = Field(True, description="S3-native locking (Terraform >= 1.10).")
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
    priority: StrictInt | None = Field(None, ge=1, le=999, description="Defaults to previous + 1.")
    tag_status: Literal["tagged", "untagged", "any"]
    tag_prefixes: tuple[str, ...] = ()
    tag_patterns: tuple[str, ...] = ()
    keep_last: StrictInt | None = Field(None, ge=1, description="Expire all but the newest N images.")
    expire_after_days: StrictInt | None = Field(None, ge=1, description="Expire images pushed N days ago.")


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
    force_delete: StrictBool = False


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

    days: StrictInt = Field(..., ge=0)
    storage_class: StorageClass


class S3NoncurrentTransition(Model):
    """Move noncurrent versions to `storage_class` `days` after they became noncurrent."""

    days: StrictInt = Field(..., ge=0)
    storage_class: StorageClass
    newer_versions: StrictInt | None = Field(None, ge=1, le=100, description="Keep this many newer ones.")


class S3LifecycleRule(Model):
    """One S3 lifecycle rule: a filter (prefix, tags, object sizes; none = whole bucket) and actions.

    The module emits exactly one filter shape: a lone condition as itself, several under `and`.
    """

    id: str = Field(..., min_length=1, max_length=255)
    enabled: StrictBool = True
    prefix: str | None = Field(None, max_length=1024, description="Key prefix, e.g. 'snapshots/'.")
    tags: dict[TagKey, TagValue] = Field(default_factory=dict, description="Objects carrying all these tags.")
    object_size_greater_than: StrictInt | None = Field(None, ge=0, description="Bytes.")
    object_size_less_than: StrictInt | None = Field(None, ge=1, description="Bytes.")
    transitions: tuple[S3Transition, ...] = ()
    expiration_days: StrictInt | None = Field(
        None, ge=1, description="Expire current objects N days after creation."
    )
    expired_object_delete_marker: StrictBool = Field(
        False, description="Remove delete markers with no versions."
    )
    noncurrent_transitions: tuple[S3NoncurrentTransition, ...] = ()
    noncurrent_expiration_days: StrictInt | None = Field(
        None, ge=1, description="Delete versions N days after they became noncurrent."
    )
    noncurrent_newer_versions: StrictInt | None = Field(
        None, ge=1, le=100, description="With noncurrent_expiration_days: keep this many newer versions."
    )
    abort_incomplete_multipart_days: StrictInt | None = Field(None, ge=1)


class S3Replication(Model):
    """Replicate objects under `prefix` to a bucket (with its own KMS key) in another region."""

    region: Region
    prefix: str = Field("releases/", max_length=1024)
    storage_class: Literal["STANDARD", StorageClass] = Field(
        "STANDARD", description="Storage class of the replicas."
    )


class ArtifactBucket(Model):
    """The environment's artifact bucket: `{org}-{env}-{component}-{account}-{region}`.

    Layout: `releases/<version>/`, `snapshots/<branch>/<build>/`, `docker/<image>/<version>/`.
    """

    component: S3NamePart = Field("artifacts", description="Middle part of the bucket names.")
    versioning: StrictBool = Field(True, description="Required by noncurrent-version rules and replication.")
    min_tls_version: Literal["1.2", "1.3"] | None = Field(
        None, description="Also deny requests below this TLS version (all non-TLS requests are denied)."
    )
    force_destroy: StrictBool = False
    lifecycle: tuple[S3LifecycleRule, ...] = Field((), max_length=1000)
    access_log_expiration_days: StrictInt = Field(
        365, ge=1, description="Server access logs are kept this long."
    )
    replication: S3Replication | None = None


# --- EC2 Image Builder -------------------------------------------------------------------------


class ImageComponent(Model):
    """A custom component whose document is a YAML file under the config folder.

    Components are immutable in AWS: changed content needs a new version. The committed lock file
    `config/image-builder.lock.json` records each version's content hash (rule IB-VERSION-LOCK).
    """

    name: ImageBuilderName
    version: SemanticVersion
    document: RelativeFile = Field(..., description="Path relative to the config folder.")
    description: str | None = Field(None, max_length=1024)
    _content: str | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _read_document(self, info: ValidationInfo) -> ImageComponent:
        """The loader passes `config_dir` in the validation context; rule IB-COMPONENT-DOC reports
        a document that cannot be read or is malformed."""
        config_dir = (info.context or {}).get("config_dir")
        if config_dir is not None:
            try:
                self._content = (Path(config_dir) / self.document).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._content = None
        return self

    @property
    def content(self) -> str | None:
        return self._content


class RootVolume(Model):
    size_gib: StrictInt = Field(30, ge=1, le=16384)
    type: Literal["gp3", "gp2", "io1", "io2"] = "gp3"


class ImageRecipe(Model):
    """The recipe: parent image, components in order, root volume. Immutable like components."""

    name: ImageBuilderName
    version: SemanticVersion
    description: str | None = Field(None, max_length=1024)
    parent_image: ImageBuilderName = Field(
        "amazon-linux-2023-x86",
        description="An Image Builder managed image name; its latest version (x.x.x) is used, "
        "resolved by Image Builder at build time (no data source).",
    )
    components: tuple[ImageBuilderName, ...] = Field(
        ...,
        min_length=1,
        max_length=20,
        description="In order: names of custom components of this file, or of AWS-managed ones "
        "(e.g. update-linux), which are used at their latest version.",
    )
    root_volume: RootVolume = RootVolume()
    working_directory: WorkingDirectory | None = Field(
        None,
        description="Where build and test workflows run on the instance; omit for Image Builder's default.",
    )


class LaunchPermission(Model):
    """Who may launch the AMI: accounts, organizations, OUs, any of them (rule IB-LAUNCH-PERMISSION).
    The stack's AMI keys let the same principals use them (aws:PrincipalOrgID / aws:PrincipalOrgPaths
    for organizations and OUs)."""

    account_ids: tuple[AccountId, ...] = Field((), description="Accounts that may launch the AMI.")
    organization_arns: tuple[OrgArn, ...] = Field(
        (), description="Organizations whose accounts may launch it."
    )
    organizational_unit_arns: tuple[OrgArn, ...] = Field(
        (), description="OUs whose accounts (and those of child OUs) may launch it."
    )


class ImageDistribution(Model):
    """One region the AMI is copied to, encrypted with a customer-managed key in that region."""

    region: Region
    kms_key_arn: KmsKeyArn | None = Field(
        None, description="A customer-managed key in this region; omit to let the stack create one."
    )
    launch_permission: LaunchPermission | None = None


class ImageLifecycle(Model):
    """Deprecate AMIs beyond the newest `keep_active`, delete (with snapshots) beyond `keep`."""

    keep_active: StrictInt = Field(3, ge=1, le=1000)
    keep: StrictInt = Field(5, ge=1, le=1000)


class ImageBuilder(Model):
    """A golden-AMI pipeline in the primary region: components, recipe, infrastructure,
    distribution, schedule, lifecycle."""

    components: tuple[ImageComponent, ...] = ()
    recipe: ImageRecipe
    instance_types: tuple[InstanceType, ...] = Field(("m5.large",), min_length=1)
    subnet_id: SubnetId | None = None
    security_group_ids: tuple[SecurityGroupId, ...] = ()
    ami_name: str = Field(
        "{{ imagebuilder:buildDate }}",
        description="Appended to '<recipe>-'; must contain '{{ imagebuilder:buildDate }}' so each "
        "build gets a unique name.",
    )
    ami_tags: dict[TagKey, TagValue] = Field(default_factory=dict)
    distributions: tuple[ImageDistribution, ...] = Field(..., min_length=1)
    schedule: CronExpression = "cron(0 0 ? * SUN *)"
    start_condition: Literal["EXPRESSION_MATCH_ONLY", "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"] = (
        "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"
    )
    image_tests_timeout_minutes: StrictInt = Field(60, ge=60, le=1440)
    lifecycle: ImageLifecycle = ImageLifecycle()
    log_expiration_days: StrictInt = Field(
        90, ge=1, description="Build logs in the Image Builder log bucket are kept this long."
    )
    _lock: dict | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _read_lock(self, info: ValidationInfo) -> ImageBuilder:
        """The committed lock file, `<config_dir>/image-builder.lock.json` (rule IB-VERSION-LOCK)."""
        import json

        config_dir = (info.context or {}).get("config_dir")
        if config_dir is not None:
            path = Path(config_dir) / LOCK_FILE
            try:
                self._lock = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
            except (OSError, ValueError):
                self._lock = None
        return self

    @property
    def lock(self) -> dict | None:
        """The whole lock file ({} when absent; None when unreadable or not loaded from files)."""
        return self._lock


LOCK_FILE = "image-builder.lock.json"


# --- supply chain: image signing and the scan-findings gate ------------------------------------


class SignatureValidity(Model):
    """How long a signature made with the profile stays valid (AWS Signer's default: 135 months)."""

    value: StrictInt = Field(..., ge=1, description="A number of `type` units.")
    type: Literal["DAYS", "MONTHS", "YEARS"]


class Signing(Model):
    """An AWS Signer signing profile for container images (Notation) and the CI signing policy."""

    signature_validity: SignatureValidity = SignatureValidity(value=12, type="MONTHS")


class Subscription(Model):
    """One subscriber of the scan-findings topic."""

    protocol: Literal["email", "email-json", "https", "sqs", "lambda", "sms"]
    endpoint: str = Field(..., min_length=1, description="Address, URL or ARN matching the protocol.")


class ScanGate(Model):
    """EventBridge rules on CRITICAL findings -> an encrypted SNS topic and the blocking Lambda."""

    subscriptions: tuple[Subscription, ...] = ()
    log_retention_days: LogRetentionDays = Field(365, description="The gate Lambda's log retention.")


class SupplyChain(Model):
    """Image signing and the scan-findings gate, in the primary region."""

    signing: Signing | None = Signing()
    scan_gate: ScanGate | None = ScanGate()


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
    image_builder: ImageBuilder | None = Field(None, description="An EC2 Image Builder golden-AMI pipeline.")
    supply_chain: SupplyChain | None = Field(
        None, description="Image signing and the scan-findings gate; omit for neither."
    )
    prevent_destroy: StrictBool = Field(
        False,
        description="Mark stateful resources (repositories, buckets, keys, domains) prevent_destroy: "
        "Terraform then refuses any plan that deletes or replaces them.",
    )

    @property
    def regions(self) -> tuple[str, ...]:
        return (self.primary_region, *self.extra_regions)
