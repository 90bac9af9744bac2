"""Rules that relate several fields or several environments (field rules live in core/types.py).

Each rule has a stable ID, a one-line summary and the source it was checked against; the catalogue
in docs/rules.md is generated from `CATALOGUE` (`python main.py rules`). A rule yields `Finding`s;
`warning=True` findings are printed once and never fail the synth.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

from core.errors import NO_VALUE, Loc
from core.models import (
    DEFAULT_PROVIDER_VERSION,
    LOCK_FILE,
    CodeArtifactRepository,
    Environment,
    ImageBuilder,
    LifecycleRule,
    S3LifecycleRule,
    StorageClass,
)
from core.naming import bucket_name, stack_name
from policies.ecr import find_nulls, lifecycle_policy, resolve_priorities
from policies.imagebuilder import document_problems
from policies.s3 import ACTION_KEYS, filter_shape
from policies.s3 import lifecycle_rule as s3_lifecycle_rule

ECR_API = "https://docs.aws.amazon.com/AmazonECR/latest/APIReference"
ECR_GUIDE = "https://docs.aws.amazon.com/AmazonECR/latest/userguide"
CA_API = "https://docs.aws.amazon.com/codeartifact/latest/APIReference"
CA_GUIDE = "https://docs.aws.amazon.com/codeartifact/latest/ug"
S3_GUIDE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide"
S3_API = "https://docs.aws.amazon.com/AmazonS3/latest/API"


@dataclass(frozen=True)
class Finding:
    loc: Loc
    message: str
    value: Any = field(default=NO_VALUE, compare=False)
    warning: bool = False


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    source: str
    check: Callable[..., Iterable[Any]] | None = None


CATALOGUE: dict[str, Rule] = {}
ENV_RULES: list[Rule] = []
PROJECT_RULES: list[Rule] = []


def describe(rule_id: str, summary: str, source: str) -> None:
    """Catalogue a rule enforced elsewhere (a field type in core/types.py)."""
    CATALOGUE[rule_id] = Rule(rule_id, summary, source)


def env_rule(rule_id: str, summary: str, source: str) -> Callable[..., Any]:
    def register(fn: Callable[[Environment], Iterable[Finding]]) -> Callable[..., Any]:
        rule = Rule(rule_id, summary, source, fn)
        CATALOGUE[rule_id] = rule
        ENV_RULES.append(rule)
        return fn

    return register


def project_rule(rule_id: str, summary: str, source: str) -> Callable[..., Any]:
    def register(fn: Callable[[Sequence[Environment]], Iterable[tuple[str, Finding]]]) -> Callable[..., Any]:
        rule = Rule(rule_id, summary, source, fn)
        CATALOGUE[rule_id] = rule
        PROJECT_RULES.append(rule)
        return fn

    return register


def repeats(items: Iterable[tuple[Loc, Any]]) -> Iterator[tuple[Loc, Any]]:
    """`(loc, value)` of every value that already appeared earlier in `items`."""
    seen: set[Any] = set()
    for loc, value in items:
        if value in seen:
            yield loc, value
        seen.add(value)


# --- field rules (enforced by the types in core/types.py) --------------------------------------

describe(
    "CFG-QUOTE", "IDs that YAML would read as numbers must be quoted strings.", "https://yaml.org/spec/1.2.2/"
)
describe(
    "AWS-ACCOUNT-ID",
    "Account IDs are 12 digits.",
    "https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html",
)
describe(
    "AWS-REGION",
    "Region codes look like 'ap-northeast-1'.",
    "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html",
)
describe(
    "IAM-ROLE-ARN",
    "Role ARNs: arn:<partition>:iam::<12 digits>:role/<path/name>.",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html",
)
describe(
    "AWS-ORG-ID",
    "Organization IDs: 'o-' and 10-32 lowercase letters or digits.",
    "https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html",
)
describe(
    "SECRET-ARN",
    "Secrets are referenced by Secrets Manager ARN, never inlined.",
    "https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html",
)
describe(
    "ECR-REPO-NAME",
    "Repository names: 2-256 chars, lowercase, '.', '_', '-' separators, '/' namespaces.",
    f"{ECR_API}/API_CreateRepository.html",
)
describe(
    "NAME-PART",
    "Environment and org names: 1-20 lowercase letters, digits, '-'.",
    "project naming convention ({org}-{env}-{component})",
)
describe(
    "TF-VERSION-CONSTRAINT",
    "Provider version constraints use Terraform's syntax.",
    "https://developer.hashicorp.com/terraform/language/expressions/version-constraints",
)
describe(
    "CFG-YAML",
    "Each environment file is readable UTF-8 YAML of at most 1 MB: one document, plain keys, no duplicate keys, no alias bombs.",
    "https://yaml.org/spec/1.2.2/",
)
describe(
    "CFG-SCHEMA",
    "Values match the configuration schema (docs/config.schema.json): strict types, exact enum values, required keys, ranges.",
    "docs/config.schema.json (python main.py schema)",
)
describe(
    "CFG-UNKNOWN-KEY",
    "Only the keys the schema defines (a typo is an error, never ignored); the environment's name is its file name.",
    "docs/config.schema.json (python main.py schema)",
)
describe(
    "CFG-ENV-FILES",
    "The configuration folder holds at least one environment file, config/environments/<env>.yaml.",
    "project convention (the file name is the environment name)",
)
describe(
    "CFG-ENV-DUP",
    "One file per environment: 'dev.yaml' and 'dev.yml' would define the same stacks twice.",
    "project convention (the file name is the environment name)",
)
describe(
    "CFG-RELATIVE-DIR",
    "Local state folders are relative paths inside the project.",
    "https://developer.hashicorp.com/terraform/language/backend/local",
)
describe(
    "AWS-NAME-LENGTH",
    "Synth: every composed name (IAM roles 64, Lambda 64, EventBridge rules 64, Image Builder 128, ...) fits AWS's limit (core/postsynth.py).",
    "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
)
describe(
    "ECR-TEMPLATE-PREFIX",
    "Synth: creation templates for replicated repositories use a namespace prefix, else ROOT (ECR appends '/').",
    f"{ECR_API}/API_CreateRepositoryCreationTemplate.html",
)
describe(
    "S3-NAME-PART",
    "The component of the artifact bucket names: lowercase letters, digits, single '-'.",
    f"{S3_GUIDE}/bucketnamingrules.html",
)
describe(
    "AWS-TAG",
    "Tag keys 1-128, values 0-256 characters from the allowed set; no 'aws:' keys.",
    "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html",
)
describe(
    "CA-DOMAIN-NAME",
    "CodeArtifact domain names: 2-50 chars, lowercase letters, digits, '-', starting with a letter.",
    f"{CA_API}/API_CreateDomain.html",
)
describe(
    "CA-REPO-NAME",
    "CodeArtifact repository (and upstream) names: 2-100 letters, digits, '.', '_', '-'.",
    f"{CA_API}/API_CreateRepository.html",
)
describe(
    "CA-EXT-CONN",
    "External connections are one of those AWS supports (public:npmjs, public:pypi, public:maven-*, ...).",
    f"{CA_API}/API_AssociateExternalConnection.html",
)
describe(
    "CA-DOMAIN-REF",
    "Synth: a repository and its policies reference the domain (and upstreams) through resource "
    "attributes, never name strings, so Terraform orders creation.",
    "https://developer.hashicorp.com/terraform/language/resources/behavior#resource-dependencies",
)


# --- environment-wide rules --------------------------------------------------------------------


@env_rule(
    "CFG-REGIONS",
    "Each region appears once among primary_region and extra_regions.",
    "project rule: one stack per environment and region",
)
def _regions_unique(env: Environment) -> Iterator[Finding]:
    seen = {env.primary_region}
    for i, region in enumerate(env.extra_regions):
        if region in seen:
            yield Finding(
                ("extra_regions", i), "must list each region once, and not the primary region", region
            )
        seen.add(region)


describe(
    "AWS-REGION-KNOWN",
    "Every region field (stacks, replication, distribution, backends) names a region botocore's endpoint data lists: the AWS provider refuses any other (`invalid AWS Region`).",
    "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html",
)


@env_rule(
    "CFG-ROLE-ACCOUNT",
    "The deploy role lives in the environment's account.",
    "https://registry.terraform.io/providers/hashicorp/aws/latest/docs#allowed_account_ids",
)
def _role_in_account(env: Environment) -> Iterator[Finding]:
    if env.deploy_role_arn and env.deploy_role_arn.split(":")[4] != env.account_id:
        yield Finding(
            ("deploy_role_arn",),
            f"must be a role in account {env.account_id} (allowed_account_ids would refuse any other)",
            env.deploy_role_arn,
        )


_S3_BUCKET = re.compile(r"(?!xn--|sthree-|amzn-s3-demo-)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


@env_rule(
    "TF-S3-BACKEND-BUCKET",
    "The S3 state bucket name follows S3 bucket naming rules.",
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
)
def _backend_bucket(env: Environment) -> Iterator[Finding]:
    if env.backend.type == "s3" and not _S3_BUCKET.fullmatch(env.backend.bucket):
        yield Finding(
            ("backend", "bucket"),
            "must be a valid S3 bucket name (3-63 lowercase letters, digits, '.', '-')",
            env.backend.bucket,
        )


_S3_KEY_PREFIX = re.compile(r"[A-Za-z0-9!_.*'()-]+(?:/[A-Za-z0-9!_.*'()-]+)*")
_DYNAMODB_TABLE = re.compile(r"[A-Za-z0-9_.-]{3,255}")
_HCP_NAME = re.compile(r"[A-Za-z0-9_-]+")
_HOSTNAME = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


@env_rule(
    "TF-S3-BACKEND-KEY",
    "S3 state keys '<key_prefix>/<stack>.tfstate': the prefix is path segments of S3's safe "
    "characters, with no empty segment (Terraform refuses keys that start with '/' or hold '//').",
    "https://developer.hashicorp.com/terraform/language/backend/s3#key",
)
def _backend_key(env: Environment) -> Iterator[Finding]:
    if env.backend.type == "s3" and not _S3_KEY_PREFIX.fullmatch(env.backend.key_prefix.strip("/")):
        yield Finding(
            ("backend", "key_prefix"),
            "must be a non-empty path such as 'artifact-platform' or 'teams/platform' (letters, "
            "digits, ! _ . * ' ( ) -, segments separated by single '/')",
            env.backend.key_prefix,
        )


@env_rule(
    "TF-S3-BACKEND-LOCK-TABLE",
    "A DynamoDB lock table name is 3-255 letters, digits, '_', '.', '-'.",
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html",
)
def _backend_lock_table(env: Environment) -> Iterator[Finding]:
    table = env.backend.dynamodb_table if env.backend.type == "s3" else None
    if table is not None and not _DYNAMODB_TABLE.fullmatch(table):
        yield Finding(
            ("backend", "dynamodb_table"),
            "must be a DynamoDB table name: 3-255 letters, digits, '_', '.' or '-'",
            table,
        )


@env_rule(
    "TF-S3-BACKEND-LOCKING",
    "Warning: an S3 backend with neither use_lockfile nor a DynamoDB table has no state locking (two "
    "applies at once can corrupt the state).",
    "https://developer.hashicorp.com/terraform/language/backend/s3#state-locking",
)
def _backend_locking(env: Environment) -> Iterator[Finding]:
    if env.backend.type == "s3" and not env.backend.use_lockfile and env.backend.dynamodb_table is None:
        yield Finding(
            ("backend", "use_lockfile"),
            "leaves the state unlocked: set use_lockfile: true (Terraform >= 1.10) or a dynamodb_table",
            False,
            warning=True,
        )


# the provider versions the synthesized JSON is validated and planned against (5.100 offline, the
# bindings' 6.x): a constraint must admit at least one of them
CHECKED_PROVIDER_VERSIONS = ("5.100.0", "6.0.0", "6.25.0")


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in text.split("-")[0].split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def satisfies(version: str, constraint: str) -> bool:
    """Terraform's version-constraint semantics for plain versions (=, !=, >, >=, <, <=, ~>)."""
    have = _version_tuple(version)
    for part in constraint.split(","):
        match = re.fullmatch(r"\s*(=|!=|>=|<=|>|<|~>)?\s*([\d.]+)(?:-[0-9A-Za-z.-]+)?\s*", part)
        if match is None:
            return False
        op, text = match.group(1) or "=", match.group(2)
        want = _version_tuple(text)
        if op == "~>":  # the rightmost given part may grow: ~> 5.100 is >= 5.100, < 6.0
            given = len(text.split("."))
            upper = list(want[: max(given - 1, 1)])
            upper[-1] += 1
            ok = have >= want and have[: len(upper)] < tuple(upper)
        else:
            ok = {
                "=": have == want,
                "!=": have != want,
                ">": have > want,
                ">=": have >= want,
                "<": have < want,
                "<=": have <= want,
            }[op]
        if not ok:
            return False
    return True


@env_rule(
    "TF-PROVIDER-RANGE",
    "aws_provider_version admits at least one AWS provider version the output is checked against "
    f"({', '.join(CHECKED_PROVIDER_VERSIONS)}): older providers lack resources and arguments it uses.",
    "https://developer.hashicorp.com/terraform/language/expressions/version-constraints",
)
def _provider_range(env: Environment) -> Iterator[Finding]:
    if not any(satisfies(v, env.aws_provider_version) for v in CHECKED_PROVIDER_VERSIONS):
        yield Finding(
            ("aws_provider_version",),
            "admits none of the AWS provider versions this project's output is checked against "
            f"({', '.join(CHECKED_PROVIDER_VERSIONS)}); use e.g. {DEFAULT_PROVIDER_VERSION!r} (the default)",
            env.aws_provider_version,
        )


@env_rule(
    "TF-CLOUD-BACKEND",
    "HCP Terraform: organization and workspace names are letters, digits, '-', '_' (workspaces at "
    "most 90 characters); the hostname is a DNS name.",
    "https://developer.hashicorp.com/terraform/cloud-docs/workspaces/create#workspace-naming",
)
def _backend_cloud(env: Environment) -> Iterator[Finding]:
    backend = env.backend
    if backend.type != "cloud":
        return
    if not _HCP_NAME.fullmatch(backend.organization):
        yield Finding(
            ("backend", "organization"),
            "must be an HCP Terraform organization name (letters, digits, '-', '_')",
            backend.organization,
        )
    longest = max((stack_name(env, r) for r in env.regions), key=len)
    if (
        not _HCP_NAME.fullmatch(backend.workspace_prefix + "x")
        or len(backend.workspace_prefix + longest) > 90
    ):
        yield Finding(
            ("backend", "workspace_prefix"),
            f"must be letters, digits, '-' or '_', short enough that prefix + stack name "
            f"(e.g. '{backend.workspace_prefix}{longest}') is at most 90 characters",
            backend.workspace_prefix,
        )
    if not _HOSTNAME.fullmatch(backend.hostname):
        yield Finding(
            ("backend", "hostname"), "must be a host name such as 'app.terraform.io'", backend.hostname
        )


# --- ECR lifecycle -----------------------------------------------------------------------------


def _lifecycle_lists(env: Environment) -> Iterator[tuple[Loc, Sequence[LifecycleRule]]]:
    yield ("ecr", "defaults", "lifecycle"), env.ecr.defaults.lifecycle
    for i, repo in enumerate(env.ecr.repositories):
        if repo.lifecycle is not None:
            yield ("ecr", "repositories", i, "lifecycle"), repo.lifecycle


@env_rule(
    "ECR-LC-PRIORITY",
    "Lifecycle rule priorities are unique within a policy.",
    f"{ECR_GUIDE}/lp_creation.html",
)
def _lc_priorities(env: Environment) -> Iterator[Finding]:
    for loc, rules in _lifecycle_lists(env):
        seen: dict[int, int] = {}
        for i, priority in enumerate(resolve_priorities(rules)):
            if priority in seen:
                yield Finding(
                    (*loc, i, "priority"),
                    f"must be unique; rule {seen[priority]} already has priority {priority} "
                    "(an omitted priority is the previous rule's + 1)",
                    priority,
                )
            seen.setdefault(priority, i)


@env_rule(
    "ECR-LC-ACTION",
    "A lifecycle rule has exactly one of keep_last and expire_after_days.",
    f"{ECR_GUIDE}/lifecycle_policy_parameters.html",
)
def _lc_action(env: Environment) -> Iterator[Finding]:
    for loc, rules in _lifecycle_lists(env):
        for i, rule in enumerate(rules):
            if (rule.keep_last is None) == (rule.expire_after_days is None):
                yield Finding(
                    (*loc, i),
                    "must set exactly one of keep_last (imageCountMoreThan) and "
                    "expire_after_days (sinceImagePushed)",
                )


@env_rule(
    "ECR-LC-TAGGED",
    "A 'tagged' rule lists tag prefixes or patterns (not both); other statuses list none.",
    f"{ECR_GUIDE}/lifecycle_policy_parameters.html",
)
def _lc_tagged(env: Environment) -> Iterator[Finding]:
    for loc, rules in _lifecycle_lists(env):
        for i, rule in enumerate(rules):
            has_tags = bool(rule.tag_prefixes or rule.tag_patterns)
            if rule.tag_status == "tagged" and not has_tags:
                yield Finding(
                    (*loc, i, "tag_status"),
                    "'tagged' needs tag_prefixes or tag_patterns (ECR rejects a tagged rule without them)",
                    rule.tag_status,
                )
            elif rule.tag_status != "tagged" and has_tags:
                yield Finding(
                    (*loc, i, "tag_status"),
                    "only 'tagged' rules may list tag_prefixes or tag_patterns",
                    rule.tag_status,
                )
            if rule.tag_prefixes and rule.tag_patterns:
                yield Finding((*loc, i), "may set tag_prefixes or tag_patterns, not both")


@env_rule(
    "ECR-LC-PATTERN",
    "Tag patterns hold at most 4 '*' wildcards; prefixes hold none.",
    f"{ECR_GUIDE}/lifecycle_policy_parameters.html",
)
def _lc_patterns(env: Environment) -> Iterator[Finding]:
    for loc, rules in _lifecycle_lists(env):
        for i, rule in enumerate(rules):
            for j, pattern in enumerate(rule.tag_patterns):
                if pattern.count("*") > 4 or not pattern:
                    yield Finding(
                        (*loc, i, "tag_patterns", j),
                        "must be non-empty with at most 4 '*' wildcards",
                        pattern,
                    )
            for j, prefix in enumerate(rule.tag_prefixes):
                if "*" in prefix or not prefix:
                    yield Finding(
                        (*loc, i, "tag_prefixes", j),
                        "must be a non-empty literal prefix (use tag_patterns for wildcards)",
                        prefix,
                    )


@env_rule(
    "ECR-LC-ANY-LAST",
    "A rule with tag_status 'any' has the highest priority number (is evaluated last).",
    f"{ECR_GUIDE}/lifecycle_policy_parameters.html",
)
def _lc_any_last(env: Environment) -> Iterator[Finding]:
    for loc, rules in _lifecycle_lists(env):
        priorities = resolve_priorities(rules)
        for i, rule in enumerate(rules):
            if rule.tag_status == "any" and priorities[i] != max(priorities):
                yield Finding(
                    (*loc, i, "tag_status"),
                    f"a rule matching 'any' tag status must be evaluated last (have the highest "
                    f"priority, {max(priorities)} or more), its priority is {priorities[i]}",
                    rule.tag_status,
                )


@env_rule(
    "ECR-LC-NULL",
    "The emitted lifecycle policy holds no null value.",
    f"{ECR_GUIDE}/lifecycle_policy_parameters.html",
)
def _lc_no_nulls(env: Environment) -> Iterator[Finding]:
    for loc, rules in _lifecycle_lists(env):
        if any((r.keep_last is None) == (r.expire_after_days is None) for r in rules):
            continue  # ECR-LC-ACTION reports the rule; one message per problem
        for path in find_nulls(lifecycle_policy(rules)):
            yield Finding(loc, f"would emit null at {path}; ECR rejects null values in a policy")


@env_rule(
    "ECR-LC-PREFIX-AND",
    "Warning: several tag_prefixes in one rule select images carrying all of them.",
    f"{ECR_GUIDE}/lifecycle_policy_examples.html",
)
def _lc_prefix_and(env: Environment) -> Iterator[Finding]:
    for loc, rules in _lifecycle_lists(env):
        for i, rule in enumerate(rules):
            if len(rule.tag_prefixes) > 1:
                yield Finding(
                    (*loc, i, "tag_prefixes"),
                    "selects only images tagged with every one of these prefixes; to act on "
                    "images with any of them, write one rule per prefix",
                    list(rule.tag_prefixes),
                    warning=True,
                )


# --- ECR repositories and registry --------------------------------------------------------------


@env_rule(
    "ECR-REPO-DUP",
    "Repository names are unique within an environment.",
    f"{ECR_API}/API_CreateRepository.html",
)
def _repo_unique(env: Environment) -> Iterator[Finding]:
    names = ((("ecr", "repositories", i, "name"), r.name) for i, r in enumerate(env.ecr.repositories))
    for loc, name in repeats(names):
        yield Finding(loc, "must be unique; this repository is defined twice", name)


_FREQUENCIES = {"BASIC": ("SCAN_ON_PUSH", "MANUAL"), "ENHANCED": ("SCAN_ON_PUSH", "CONTINUOUS_SCAN")}
_SCAN_FILTER = re.compile(r"[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*")


@env_rule(
    "ECR-SCAN",
    "Scan frequency fits the scan type; filters are 1-256 char wildcard patterns.",
    f"{ECR_API}/API_RegistryScanningRule.html",
)
def _scanning(env: Environment) -> Iterator[Finding]:
    scanning = env.ecr.registry.scanning if env.ecr.registry else None
    if scanning is None:
        return
    loc = ("ecr", "registry", "scanning")
    allowed = _FREQUENCIES[scanning.type]
    if scanning.frequency not in allowed:
        yield Finding(
            (*loc, "frequency"),
            f"{scanning.type} scanning supports {' or '.join(allowed)}",
            scanning.frequency,
        )
    for i, filt in enumerate(scanning.filters):
        if len(filt) > 256 or not _SCAN_FILTER.fullmatch(filt):
            yield Finding((*loc, "filters", i), "must be a repository name pattern with '*' wildcards", filt)


_REPL_FILTER = re.compile(r"(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*")


@env_rule(
    "ECR-REPL",
    "Replication goes elsewhere than the source, to at most 25 destinations, with valid prefix filters.",
    f"{ECR_API}/API_ReplicationConfiguration.html",
)
def _replication(env: Environment) -> Iterator[Finding]:
    if env.ecr.registry is None:
        return
    destinations: set[tuple[str, str]] = set()
    for i, rule in enumerate(env.ecr.registry.replication):
        loc: Loc = ("ecr", "registry", "replication", i)
        for j, dest in enumerate(rule.destinations):
            key = (dest.account_id or env.account_id, dest.region)
            if key == (env.account_id, env.primary_region):
                yield Finding(
                    (*loc, "destinations", j),
                    "must differ from the source registry (same account and primary region)",
                    f"{key[0]}/{key[1]}",
                )
            destinations.add(key)
        for j, prefix in enumerate(rule.prefix_filters):
            if not _REPL_FILTER.fullmatch(prefix):
                yield Finding(
                    (*loc, "prefix_filters", j), "must be a 2-256 character repository name prefix", prefix
                )
    if len(destinations) > 25:
        yield Finding(
            ("ecr", "registry", "replication"), "may name at most 25 distinct destinations", len(destinations)
        )


# https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html#pull-through-cache-upstream
UPSTREAMS_WITHOUT_CREDENTIAL = ("public.ecr.aws", "registry.k8s.io", "quay.io")
UPSTREAMS_WITH_CREDENTIAL = ("registry-1.docker.io", "ghcr.io", "registry.gitlab.com")
_AZURE = re.compile(r"[a-z0-9]+\.azurecr\.io")
_PTC_PREFIX = re.compile(r"(?=.{2,30}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")
SECRET_PREFIX = "ecr-pullthroughcache/"


@env_rule(
    "ECR-PTC",
    "Pull-through cache: supported upstream, credential exactly when required, secret named 'ecr-pullthroughcache/…', unique 2-30 char prefix.",
    f"{ECR_GUIDE}/pull-through-cache-creating-secret.html",
)
def _pull_through_cache(env: Environment) -> Iterator[Finding]:
    if env.ecr.registry is None:
        return
    seen: set[str] = set()
    for i, rule in enumerate(env.ecr.registry.pull_through_cache):
        loc: Loc = ("ecr", "registry", "pull_through_cache", i)
        if not _PTC_PREFIX.fullmatch(rule.prefix) or rule.prefix == "ROOT":
            yield Finding(
                (*loc, "prefix"), "must be 2-30 lowercase letters, digits, '.', '_', '-' or '/'", rule.prefix
            )
        if rule.prefix in seen:
            yield Finding((*loc, "prefix"), "must be unique; another rule uses this prefix", rule.prefix)
        seen.add(rule.prefix)
        needs_credential = rule.upstream in UPSTREAMS_WITH_CREDENTIAL or bool(_AZURE.fullmatch(rule.upstream))
        if not needs_credential and rule.upstream not in UPSTREAMS_WITHOUT_CREDENTIAL:
            yield Finding(
                (*loc, "upstream"),
                "must be a supported upstream: "
                + ", ".join((*UPSTREAMS_WITHOUT_CREDENTIAL, *UPSTREAMS_WITH_CREDENTIAL, "<name>.azurecr.io")),
                rule.upstream,
            )
        elif needs_credential and rule.credential_secret_arn is None:
            yield Finding(
                (*loc, "credential_secret_arn"),
                f"is required for {rule.upstream}: the ARN of a Secrets Manager secret named "
                f"'{SECRET_PREFIX}<name>' holding the upstream's username and access token",
            )
        elif not needs_credential and rule.credential_secret_arn is not None:
            yield Finding(
                (*loc, "credential_secret_arn"),
                f"must be omitted: {rule.upstream} is pulled without credentials",
                rule.credential_secret_arn,
            )
        if rule.credential_secret_arn is not None:
            secret_name = rule.credential_secret_arn.split(":secret:", 1)[1]
            if not secret_name.startswith(SECRET_PREFIX):
                yield Finding(
                    (*loc, "credential_secret_arn"),
                    f"must name a secret whose name starts with '{SECRET_PREFIX}' (ECR only reads those)",
                    rule.credential_secret_arn,
                )


@env_rule(
    "ECR-PTC-SECRET-PLACE",
    "Pull-through cache: the credential secret is in the registry's own account and region.",
    f"{ECR_GUIDE}/pull-through-cache-creating-secret.html",
)
def _pull_through_cache_secret_place(env: Environment) -> Iterator[Finding]:
    if env.ecr.registry is None:
        return
    for i, rule in enumerate(env.ecr.registry.pull_through_cache):
        if rule.credential_secret_arn is None:
            continue
        region, account = rule.credential_secret_arn.split(":")[3:5]
        if (account, region) != (env.account_id, env.primary_region):
            yield Finding(
                ("ecr", "registry", "pull_through_cache", i, "credential_secret_arn"),
                f"must be a secret in account {env.account_id} and region {env.primary_region}, where "
                f"the rule is created (ECR cannot read a secret elsewhere); it is in {account}/{region}",
                rule.credential_secret_arn,
            )


# --- CodeArtifact --------------------------------------------------------------------------------


def _ca_repositories(env: Environment) -> Iterator[tuple[Loc, CodeArtifactRepository]]:
    if env.codeartifact is not None:
        for i, repo in enumerate(env.codeartifact.repositories):
            yield ("codeartifact", "repositories", i), repo


@env_rule(
    "CA-REPO-DUP",
    "CodeArtifact repository names are unique within a domain.",
    f"{CA_API}/API_CreateRepository.html",
)
def _ca_repo_unique(env: Environment) -> Iterator[Finding]:
    for loc, name in repeats(((*loc, "name"), repo.name) for loc, repo in _ca_repositories(env)):
        yield Finding(loc, "must be unique in the domain; this repository is defined twice", name)


@env_rule(
    "CA-EXT-ONE",
    "A CodeArtifact repository has at most one external connection.",
    f"{CA_API}/API_AssociateExternalConnection.html",
)
def _ca_one_external_connection(env: Environment) -> Iterator[Finding]:
    for loc, repo in _ca_repositories(env):
        if len(repo.external_connections) > 1:
            yield Finding(
                (*loc, "external_connections"),
                "may hold at most one external connection (AWS allows one per repository); "
                "make one store repository per public registry and list the stores as upstreams",
                list(repo.external_connections),
            )


@env_rule(
    "CA-EXT-AND-UPSTREAM",
    "Warning: a repository with both an external connection and upstreams (AWS documents one or the other).",
    f"{CA_GUIDE}/external-connection.html",
)
def _ca_external_and_upstreams(env: Environment) -> Iterator[Finding]:
    for loc, repo in _ca_repositories(env):
        if repo.external_connections and repo.upstreams:
            yield Finding(
                (*loc, "upstreams"),
                "this repository also has an external connection; AWS's intended layout is one "
                "store repository per public registry, used as an upstream by the others",
                list(repo.upstreams),
                warning=True,
            )


@env_rule(
    "CA-UPSTREAM-MAX",
    "A CodeArtifact repository lists at most 10 direct upstreams, each once.",
    f"{CA_GUIDE}/service-limits.html",
)
def _ca_upstream_count(env: Environment) -> Iterator[Finding]:
    for loc, repo in _ca_repositories(env):
        if len(repo.upstreams) > 10:
            yield Finding(
                (*loc, "upstreams"),
                "may list at most 10 direct upstream repositories (a fixed CodeArtifact quota)",
                len(repo.upstreams),
            )
        for up_loc, name in repeats(((*loc, "upstreams", j), n) for j, n in enumerate(repo.upstreams)):
            yield Finding(up_loc, "must list each upstream once", name)


@env_rule(
    "CA-UPSTREAM-EXISTS",
    "Every upstream is a repository defined in the same CodeArtifact domain.",
    f"{CA_GUIDE}/repos-upstream.html",
)
def _ca_upstream_exists(env: Environment) -> Iterator[Finding]:
    names = {repo.name for _, repo in _ca_repositories(env)}
    for loc, repo in _ca_repositories(env):
        for j, name in enumerate(repo.upstreams):
            if name not in names:
                yield Finding(
                    (*loc, "upstreams", j),
                    "must name a repository defined in this domain (codeartifact.repositories); "
                    f"defined: {', '.join(sorted(names))}",
                    name,
                )


def upstream_cycle(repos: Sequence[CodeArtifactRepository]) -> list[str] | None:
    """The first upstream cycle among `repos` as a path of names (a -> b -> a), or None."""
    graph = {r.name: r.upstreams for r in repos}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, path: list[str]) -> list[str] | None:
        state[name] = 1
        for up in graph[name]:
            if state.get(up) == 1:
                return [*path[path.index(up) :], up]
            if up in graph and state.get(up) is None:
                found = visit(up, [*path, up])
                if found:
                    return found
        state[name] = 2
        return None

    for name in graph:
        if state.get(name) is None:
            found = visit(name, [name])
            if found:
                return found
    return None


@env_rule(
    "CA-UPSTREAM-CYCLE",
    "CodeArtifact upstreams form no cycle (a repository is never its own upstream, directly or not).",
    f"{CA_GUIDE}/repos-upstream.html",
)
def _ca_upstream_cycle(env: Environment) -> Iterator[Finding]:
    if env.codeartifact is None:
        return
    cycle = upstream_cycle(env.codeartifact.repositories)
    if cycle:
        index = next(i for i, r in enumerate(env.codeartifact.repositories) if r.name == cycle[0])
        yield Finding(
            ("codeartifact", "repositories", index, "upstreams"),
            "must not form an upstream cycle: " + " -> ".join(cycle),
            list(env.codeartifact.repositories[index].upstreams),
        )


_KMS_KEY_ARN = re.compile(r"arn:aws(?:-cn|-us-gov)?:kms:([a-z0-9-]+):(\d{12}):key/[A-Za-z0-9-]{1,128}")


@env_rule(
    "CA-KEY-ARN",
    "The domain's encryption key is a KMS key ARN in the domain's region (an alias or key ID forces replacement).",
    "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/codeartifact_domain",
)
def _ca_key_arn(env: Environment) -> Iterator[Finding]:
    key = env.codeartifact.encryption_key_arn if env.codeartifact else None
    if key is None:
        return
    loc: Loc = ("codeartifact", "encryption_key_arn")
    match = _KMS_KEY_ARN.fullmatch(key)
    if match is None:
        kind = "an alias" if "alias/" in key else "a key ID" if ":" not in key else "not a key ARN"
        yield Finding(
            loc,
            f"must be a KMS key ARN such as 'arn:aws:kms:{env.primary_region}:{env.account_id}:key/<key-id>' "
            f"({kind}: AWS stores the key ARN, so any other form shows a change on every plan and "
            "forces the domain to be replaced)",
            key,
        )
    elif match.group(1) != env.primary_region:
        yield Finding(
            loc,
            f"must be a key in the domain's region {env.primary_region} (the primary region)",
            key,
        )


# --- S3 artifact bucket -------------------------------------------------------------------------

S3_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
S3_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_S3_NAME_CHARS = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]")
_IP = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def s3_bucket_name_problem(name: str) -> str | None:
    """Why AWS would refuse `name` as a general purpose bucket name, or None."""
    if not 3 <= len(name) <= 63:
        return f"must be 3-63 characters, this one has {len(name)} (shorten org, env or component)"
    if not _S3_NAME_CHARS.fullmatch(name):
        return "must be lowercase letters, digits, '.' and '-', starting and ending with a letter or digit"
    if ".." in name:
        return "must not contain two adjacent periods"
    if _IP.fullmatch(name):
        return "must not be formatted as an IP address"
    for prefix in S3_RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"must not start with the reserved prefix '{prefix}'"
    for suffix in S3_RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"must not end with the reserved suffix '{suffix}'"
    return None


def artifact_bucket_names(env: Environment) -> dict[str, str]:
    """Role -> physical name of every bucket the artifact bucket module creates."""
    bucket = env.artifact_bucket
    if bucket is None:
        return {}
    names = {
        "bucket": bucket_name(env, bucket.component, env.primary_region),
        "log bucket": bucket_name(env, f"{bucket.component}-logs", env.primary_region),
    }
    if bucket.replication is not None:
        names["replica bucket"] = bucket_name(env, bucket.component, bucket.replication.region)
    return names


@env_rule(
    "S3-BUCKET-NAME",
    "Bucket names ({org}-{env}-{component}[-logs]-{account}-{region}) follow S3 naming rules: 3-63 "
    "chars, no reserved prefix (xn--, sthree-, amzn-s3-demo-) or suffix (-s3alias, --ol-s3, .mrap, "
    "--x-s3, --table-s3).",
    f"{S3_GUIDE}/bucketnamingrules.html",
)
def _s3_bucket_names(env: Environment) -> Iterator[Finding]:
    for role, name in artifact_bucket_names(env).items():
        problem = s3_bucket_name_problem(name)
        if problem:
            yield Finding(("artifact_bucket", "component"), f"the {role} name {problem}", name)


def _s3_rules(env: Environment) -> Iterator[tuple[Loc, S3LifecycleRule]]:
    if env.artifact_bucket is not None:
        for i, rule in enumerate(env.artifact_bucket.lifecycle):
            yield ("artifact_bucket", "lifecycle", i), rule


@env_rule(
    "S3-LC-ID",
    "Lifecycle rule IDs are unique within the bucket.",
    f"{S3_API}/API_LifecycleRule.html",
)
def _s3_lc_id(env: Environment) -> Iterator[Finding]:
    for loc, rule_id in repeats(((*loc, "id"), rule.id) for loc, rule in _s3_rules(env)):
        yield Finding(loc, "must be unique; another lifecycle rule has this id", rule_id)


@env_rule(
    "S3-LC-ACTION",
    "A lifecycle rule has at least one action.",
    f"{S3_API}/API_LifecycleRule.html",
)
def _s3_lc_action(env: Environment) -> Iterator[Finding]:
    for loc, rule in _s3_rules(env):
        if not any(key in s3_lifecycle_rule(rule) for key in ACTION_KEYS):
            yield Finding(
                loc,
                "must have an action: transitions, expiration_days, expired_object_delete_marker, "
                "noncurrent_transitions, noncurrent_expiration_days or abort_incomplete_multipart_days",
            )


@env_rule(
    "S3-LC-FILTER",
    "A lifecycle rule has exactly one filter shape (prefix, tag, a size, or 'and'); size bounds are consistent.",
    f"{S3_API}/API_LifecycleRuleFilter.html",
)
def _s3_lc_filter(env: Environment) -> Iterator[Finding]:
    for loc, rule in _s3_rules(env):
        low, high = rule.object_size_greater_than, rule.object_size_less_than
        if low is not None and high is not None and low >= high:
            yield Finding(
                (*loc, "object_size_less_than"),
                f"must be greater than object_size_greater_than ({low}), or no object matches",
                high,
            )
        if len(filter_shape(rule)) > 1:  # the builder guarantees it; this guards the builder
            yield Finding(loc, "would emit more than one filter shape", sorted(filter_shape(rule)))


@env_rule(
    "S3-LC-TAG-ACTIONS",
    "Abort-incomplete-multipart-upload and expired-object-delete-marker actions take no tag filter.",
    f"{S3_GUIDE}/intro-lifecycle-rules.html",
)
def _s3_lc_tag_actions(env: Environment) -> Iterator[Finding]:
    for loc, rule in _s3_rules(env):
        if not rule.tags:
            continue
        if rule.abort_incomplete_multipart_days is not None:
            yield Finding(
                (*loc, "abort_incomplete_multipart_days"),
                "cannot be combined with a tag filter (uploads in progress have no tags); move it "
                "to a rule filtered by prefix only",
                rule.abort_incomplete_multipart_days,
            )
        if rule.expired_object_delete_marker:
            yield Finding(
                (*loc, "expired_object_delete_marker"),
                "cannot be combined with a tag filter (delete markers have no tags); move it to a "
                "rule filtered by prefix only",
                True,
            )


@env_rule(
    "S3-LC-DELETE-MARKER",
    "expired_object_delete_marker is not combined with expiration_days in one rule.",
    f"{S3_API}/API_LifecycleExpiration.html",
)
def _s3_lc_delete_marker(env: Environment) -> Iterator[Finding]:
    for loc, rule in _s3_rules(env):
        if rule.expired_object_delete_marker and rule.expiration_days is not None:
            yield Finding(
                (*loc, "expired_object_delete_marker"),
                "cannot be combined with expiration_days (AWS takes one of Days, Date or "
                "ExpiredObjectDeleteMarker); a versioned bucket removes such markers with "
                "expiration_days anyway, or write a separate rule",
                True,
            )


# Which classes a lifecycle transition may go to from each class (the "waterfall"). AWS retired
# the 30-day minimum before STANDARD_IA / ONEZONE_IA in 2026, so no minimum day count is enforced.
S3_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "STANDARD": get_args(StorageClass),
    "STANDARD_IA": ("INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"),
    "INTELLIGENT_TIERING": ("ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"),
    "ONEZONE_IA": ("GLACIER", "DEEP_ARCHIVE"),
    "GLACIER_IR": ("GLACIER", "DEEP_ARCHIVE"),
    "GLACIER": ("DEEP_ARCHIVE",),
    "DEEP_ARCHIVE": (),
}


def _transition_findings(loc: Loc, field_name: str, steps: Sequence[tuple[int, str]]) -> Iterator[Finding]:
    previous_class, previous_days = "STANDARD", -1
    for j, (days, storage_class) in enumerate(steps):
        if storage_class not in S3_TRANSITIONS[previous_class]:
            allowed = ", ".join(S3_TRANSITIONS[previous_class]) or "nothing (it is the coldest class)"
            yield Finding(
                (*loc, field_name, j, "storage_class"),
                f"cannot follow {previous_class}: transitions go only toward colder classes, "
                f"from {previous_class} to {allowed}",
                storage_class,
            )
        if days <= previous_days:
            yield Finding(
                (*loc, field_name, j, "days"),
                f"must be greater than the previous transition's days ({previous_days})",
                days,
            )
        previous_class, previous_days = storage_class, days


@env_rule(
    "S3-LC-TRANSITION",
    "Transitions go only toward colder storage classes in AWS's order, with increasing days "
    "(no 30-day minimum: retired by AWS in 2026).",
    f"{S3_GUIDE}/lifecycle-transition-general-considerations.html",
)
def _s3_lc_transition(env: Environment) -> Iterator[Finding]:
    for loc, rule in _s3_rules(env):
        yield from _transition_findings(
            loc, "transitions", [(t.days, t.storage_class) for t in rule.transitions]
        )
        yield from _transition_findings(
            loc, "noncurrent_transitions", [(t.days, t.storage_class) for t in rule.noncurrent_transitions]
        )


@env_rule(
    "S3-LC-EXPIRATION",
    "Expiration comes after the last transition (current and noncurrent versions).",
    f"{S3_GUIDE}/intro-lifecycle-rules.html",
)
def _s3_lc_expiration(env: Environment) -> Iterator[Finding]:
    for loc, rule in _s3_rules(env):
        if rule.expiration_days is not None and rule.transitions:
            last = max(t.days for t in rule.transitions)
            if rule.expiration_days <= last:
                yield Finding(
                    (*loc, "expiration_days"),
                    f"must be greater than the last transition's days ({last})",
                    rule.expiration_days,
                )
        if rule.noncurrent_expiration_days is not None and rule.noncurrent_transitions:
            last = max(t.days for t in rule.noncurrent_transitions)
            if rule.noncurrent_expiration_days <= last:
                yield Finding(
                    (*loc, "noncurrent_expiration_days"),
                    f"must be greater than the last noncurrent transition's days ({last})",
                    rule.noncurrent_expiration_days,
                )
        if rule.noncurrent_newer_versions is not None and rule.noncurrent_expiration_days is None:
            yield Finding(
                (*loc, "noncurrent_newer_versions"),
                "needs noncurrent_expiration_days (AWS requires NoncurrentDays with NewerNoncurrentVersions)",
                rule.noncurrent_newer_versions,
            )


@env_rule(
    "S3-LC-VERSIONING",
    "Noncurrent-version and expired-delete-marker actions require versioning.",
    f"{S3_GUIDE}/lifecycle-and-other-bucket-config.html",
)
def _s3_lc_versioning(env: Environment) -> Iterator[Finding]:
    if env.artifact_bucket is None or env.artifact_bucket.versioning:
        return
    for loc, rule in _s3_rules(env):
        for name, used in (
            ("noncurrent_transitions", bool(rule.noncurrent_transitions)),
            ("noncurrent_expiration_days", rule.noncurrent_expiration_days is not None),
            ("expired_object_delete_marker", rule.expired_object_delete_marker),
        ):
            if used:
                yield Finding(
                    (*loc, name),
                    "acts on versions, but artifact_bucket.versioning is false; enable versioning "
                    "or remove it",
                    getattr(rule, name)
                    if name != "noncurrent_transitions"
                    else len(rule.noncurrent_transitions),
                )


# Minimum storage durations: deleting or moving earlier is charged as if stored this long.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-class-intro.html#sc-compare
S3_MINIMUM_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30, "GLACIER_IR": 90, "GLACIER": 90, "DEEP_ARCHIVE": 180}


@env_rule(
    "S3-LC-MIN-STORAGE",
    "Warning: objects leave a storage class before its minimum storage duration (charged anyway).",
    f"{S3_GUIDE}/storage-class-intro.html",
)
def _s3_lc_min_storage(env: Environment) -> Iterator[Finding]:
    for loc, rule in _s3_rules(env):
        if not rule.transitions:
            continue
        steps = [(t.days, t.storage_class) for t in rule.transitions]
        ends = [t.days for t in rule.transitions[1:]]
        ends.append(rule.expiration_days if rule.expiration_days is not None else -1)
        for j, ((days, storage_class), end) in enumerate(zip(steps, ends, strict=True)):
            minimum = S3_MINIMUM_DAYS.get(storage_class, 0)
            if end >= 0 and end - days < minimum:
                yield Finding(
                    (*loc, "transitions", j),
                    f"objects stay in {storage_class} {end - days} days, less than its {minimum}-day "
                    "minimum storage duration: the remaining days are charged anyway",
                    storage_class,
                    warning=True,
                )


@env_rule(
    "S3-REPL",
    "Replication needs versioning on both buckets (the replica is always versioned) and another region.",
    f"{S3_GUIDE}/replication-requirements.html",
)
def _s3_replication(env: Environment) -> Iterator[Finding]:
    bucket = env.artifact_bucket
    if bucket is None or bucket.replication is None:
        return
    if not bucket.versioning:
        yield Finding(
            ("artifact_bucket", "versioning"),
            "must be true: replication requires versioning on the source and the destination bucket",
            False,
        )
    if bucket.replication.region == env.primary_region:
        yield Finding(
            ("artifact_bucket", "replication", "region"),
            "must differ from primary_region (the replica lives in another region)",
            bucket.replication.region,
        )


# --- EC2 Image Builder ----------------------------------------------------------------------------

IB_GUIDE = "https://docs.aws.amazon.com/imagebuilder/latest/userguide"
IB_API = "https://docs.aws.amazon.com/imagebuilder/latest/APIReference"

describe(
    "IB-SEMVER",
    "Component and recipe versions are <major>.<minor>.<patch> of plain numbers.",
    f"{IB_API}/API_CreateComponent.html",
)
describe(
    "IB-NAME",
    "Image Builder component, recipe and parent image names: 2-100 lowercase letters, digits, '-'.",
    f"{IB_API}/API_CreateImageRecipe.html",
)
describe(
    "IB-CRON",
    "Pipeline schedules use the six-field form cron(minute hour day month day-of-week year).",
    f"{IB_GUIDE}/cron-expressions.html",
)
describe(
    "EC2-SUBNET-ID",
    "Subnet IDs look like 'subnet-0123abcd'.",
    f"{IB_API}/API_CreateInfrastructureConfiguration.html",
)
describe(
    "EC2-SG-ID",
    "Security group IDs look like 'sg-0123abcd'.",
    f"{IB_API}/API_CreateInfrastructureConfiguration.html",
)
describe(
    "EC2-INSTANCE-TYPE",
    "Build instance types look like 'm5.large' (<family>.<size>, lowercase letters, digits, '-').",
    "https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html",
)
describe(
    "IB-WORKING-DIR",
    "A recipe's working directory is an absolute Linux path of letters, digits and . _ - + @ = , / "
    "(so no Terraform template syntax), at most 1024 characters.",
    f"{IB_API}/API_CreateImageRecipe.html",
)
describe(
    "AWS-ORG-ARN",
    "Launch permissions name organizations and OUs by ARN.",
    f"{IB_API}/API_LaunchPermissionConfiguration.html",
)
describe(
    "KMS-KEY-ARN",
    "Keys are referenced by KMS key ARN.",
    "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id",
)
describe(
    "CFG-RELATIVE-FILE",
    "Component documents are YAML files referenced relative to the config folder.",
    f"{IB_GUIDE}/toe-use-documents.html",
)


def _ib(env: Environment) -> Iterator[ImageBuilder]:
    if env.image_builder is not None:
        yield env.image_builder


@env_rule(
    "IB-CRON-DAYS",
    "A schedule sets one of day-of-month and day-of-week, and the other to '?'.",
    f"{IB_GUIDE}/cron-expressions.html",
)
def _ib_cron_days(env: Environment) -> Iterator[Finding]:
    for ib in _ib(env):
        fields = ib.schedule[len("cron(") : -1].split()
        if (fields[2] == "?") == (fields[4] == "?"):
            yield Finding(
                ("image_builder", "schedule"),
                "must set exactly one of day-of-month (3rd field) and day-of-week (5th field) to '?', "
                "e.g. 'cron(0 0 ? * SUN *)'",
                ib.schedule,
            )


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    )
}
_WEEKDAYS = {d: i + 1 for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
# (name, lowest, highest, names, special characters beyond , - * /)
_CRON_FIELDS: tuple[tuple[str, int, int, dict[str, int], str], ...] = (
    ("minute", 0, 59, {}, ""),
    ("hour", 0, 23, {}, ""),
    ("day-of-month", 1, 31, {}, "? L W"),
    ("month", 1, 12, _MONTHS, ""),
    ("day-of-week", 1, 7, _WEEKDAYS, "? L #"),
    ("year", 1970, 2199, {}, ""),
)


def _cron_item_ok(item: str, lo: int, hi: int, names: dict[str, int], special: str) -> bool:
    def value(text: str) -> bool:
        if text.upper() in names:
            return True
        return text.isdigit() and lo <= int(text) <= hi

    if "L" in special and (item == "L" or (item == "LW" and "W" in special)):
        return True
    if "W" in special and item.endswith("W") and value(item[:-1]):
        return True
    if "L" in special and "#" in special and item.endswith("L") and value(item[:-1]):
        return True  # day-of-week: the last <weekday> of the month
    if "#" in special and "#" in item:
        day, _, nth = item.partition("#")
        return value(day) and nth in {"1", "2", "3", "4", "5"}
    base, slash, step = item.partition("/")
    if slash and not (step.isdigit() and 1 <= int(step) <= hi):
        return False
    if base == "*":
        return True
    first, dash, last = base.partition("-")
    return value(first) and (not dash or value(last))


@env_rule(
    "IB-CRON-FIELDS",
    "Each schedule field is in range: minute 0-59, hour 0-23, day-of-month 1-31 (? L W), month 1-12 or "
    "JAN-DEC, day-of-week 1-7 or SUN-SAT (? L #), year 1970-2199; lists, ranges, '*' and '/' steps.",
    f"{IB_GUIDE}/cron-expressions.html",
)
def _ib_cron_fields(env: Environment) -> Iterator[Finding]:
    for ib in _ib(env):
        fields = ib.schedule[len("cron(") : -1].split()
        for text, (name, lo, hi, names, special) in zip(fields, _CRON_FIELDS, strict=True):
            if text == "?" and "?" in special:
                continue
            if not all(_cron_item_ok(item, lo, hi, names, special) for item in text.split(",")):
                named = f" or {next(iter(names))}-{list(names)[-1]}" if names else ""  # JAN-DEC, SUN-SAT
                extra = f" and {special}" if special else ""
                yield Finding(
                    ("image_builder", "schedule"),
                    f"{name} field {text!r} must be {lo}-{hi}{named}, with , - * /{extra}; "
                    "e.g. 'cron(0 0 ? * SUN *)'",
                    ib.schedule,
                )


@env_rule(
    "IB-COMPONENT-DOC",
    "Component documents read as YAML with schemaVersion 1.0 and phases named build, validate or test "
    "(any one is enough), each once; steps have a unique name, an action, and inputs unless every "
    "input of the action is optional (Reboot, UpdateOS).",
    f"{IB_GUIDE}/toe-use-documents.html",
)
def _ib_component_doc(env: Environment) -> Iterator[Finding]:
    for ib in _ib(env):
        for i, component in enumerate(ib.components):
            loc: Loc = ("image_builder", "components", i, "document")
            if component.content is None:
                yield Finding(
                    loc,
                    "names a file that cannot be read (relative to the config folder)",
                    component.document,
                )
                continue
            for problem in document_problems(component.content):
                yield Finding(loc, f"{component.document}: {problem}")


@env_rule(
    "IB-COMPONENT-REF",
    "Component names are unique; recipe components are custom components of this file or AWS-managed "
    "ones, each listed once.",
    f"{IB_API}/API_ComponentConfiguration.html",
)
def _ib_component_ref(env: Environment) -> Iterator[Finding]:
    for ib in _ib(env):
        seen: set[str] = set()
        for i, component in enumerate(ib.components):
            if component.name in seen:
                yield Finding(("image_builder", "components", i, "name"), "must be unique", component.name)
            seen.add(component.name)
        listed: set[str] = set()
        for i, name in enumerate(ib.recipe.components):
            if name in listed:
                yield Finding(("image_builder", "recipe", "components", i), "is listed twice", name)
            listed.add(name)


@env_rule(
    "IB-DIST-REGION",
    "One distribution per region (each gets a stack output).",
    f"{IB_API}/API_Distribution.html",
)
def _ib_dist_region(env: Environment) -> Iterator[Finding]:
    for ib in _ib(env):
        seen: set[str] = set()
        for i, dist in enumerate(ib.distributions):
            if dist.region in seen:
                yield Finding(
                    ("image_builder", "distributions", i, "region"),
                    "must be unique: one distribution per region",
                    dist.region,
                )
            seen.add(dist.region)


@env_rule(
    "IB-LAUNCH-PERMISSION",
    "Launch permissions name at least one account, organization or OU (any of them is enough); a "
    "list that is given is not empty and names each entry once; organization and OU ARNs are of their "
    "own kind.",
    f"{IB_API}/API_LaunchPermissionConfiguration.html",
)
def _ib_launch_permission(env: Environment) -> Iterator[Finding]:
    kinds = ("account_ids", "organization_arns", "organizational_unit_arns")
    for ib in _ib(env):
        for i, dist in enumerate(ib.distributions):
            perm = dist.launch_permission
            if perm is None:
                continue
            loc: Loc = ("image_builder", "distributions", i, "launch_permission")
            if not any(getattr(perm, k) for k in kinds):
                yield Finding(
                    loc,
                    "must name at least one of account_ids, organization_arns, organizational_unit_arns "
                    "(or omit launch_permission to keep the AMI private)",
                )
            for kind in kinds:
                values = getattr(perm, kind)
                if kind in perm.model_fields_set and not values:
                    yield Finding((*loc, kind), "must not be empty when given (omit it instead)", [])
                if len(set(values)) != len(values):
                    yield Finding((*loc, kind), "must list each entry once", list(values))
            for j, arn in enumerate(perm.organization_arns):
                if ":organization/" not in arn:
                    yield Finding((*loc, "organization_arns", j), "must be an organization ARN", arn)
            for j, arn in enumerate(perm.organizational_unit_arns):
                if ":ou/" not in arn:
                    yield Finding((*loc, "organizational_unit_arns", j), "must be an OU ARN", arn)


@env_rule(
    "IB-SHARE-CMK",
    "An AMI shared with other accounts is encrypted with a customer-managed key (AWS-managed keys "
    "such as alias/aws/ebs cannot be shared).",
    "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html",
)
def _ib_share_cmk(env: Environment) -> Iterator[Finding]:
    for ib in _ib(env):
        for i, dist in enumerate(ib.distributions):
            if dist.kms_key_arn is not None and ":alias/aws/" in dist.kms_key_arn:
                yield Finding(
                    ("image_builder", "distributions", i, "kms_key_arn"),
                    "must be a customer-managed key: AWS-managed keys cannot be shared with the "
                    "accounts of launch_permission (omit it to let the stack create one)",
                    dist.kms_key_arn,
                )


@env_rule(
    "IB-KEY-REGION",
    "Each distribution's KMS key lives in that distribution's region.",
    f"{IB_API}/API_AmiDistributionConfiguration.html",
)
def _ib_key_region(env: Environment) -> Iterator[Finding]:
    for ib in _ib(env):
        for i, dist in enumerate(ib.distributions):
            if dist.kms_key_arn is not None and dist.kms_key_arn.split(":")[3] != dist.region:
                yield Finding(
                    ("image_builder", "distributions", i, "kms_key_arn"),
                    f"must be a key in {dist.region} (AMI copies are encrypted in their own region)",
                    dist.kms_key_arn,
                )


@env_rule(
    "IB-AMI-NAME",
    "The AMI name holds '{{ imagebuilder:buildDate }}' (unique per build) and only characters EC2 allows.",
    f"{IB_API}/API_AmiDistributionConfiguration.html",
)
def _ib_ami_name(env: Environment) -> Iterator[Finding]:
    for ib in _ib(env):
        name = f"{ib.recipe.name}-{ib.ami_name}"
        if "{{ imagebuilder:buildDate }}" not in ib.ami_name:
            yield Finding(
                ("image_builder", "ami_name"),
                "must contain '{{ imagebuilder:buildDate }}' (AMI names must be unique per build)",
                ib.ami_name,
            )
        elif not re.fullmatch(r"[A-Za-z0-9()\[\] ./\-'@_{}:]{3,127}", name):
            yield Finding(
                ("image_builder", "ami_name"),
                "must give an AMI name of 3-127 letters, digits and ( ) [ ] . / - ' @ _ space",
                name,
            )


@env_rule(
    "IB-LIFECYCLE",
    "The lifecycle policy deletes beyond more images than it keeps active (keep > keep_active); "
    "warning when the recipe has more recorded versions than a policy can select (50).",
    f"{IB_GUIDE}/image-lifecycle-policies.html",
)
def _ib_lifecycle(env: Environment) -> Iterator[Finding]:
    from core import imagelock

    for ib in _ib(env):
        if ib.lifecycle.keep <= ib.lifecycle.keep_active:
            yield Finding(
                ("image_builder", "lifecycle", "keep"),
                f"must be greater than keep_active ({ib.lifecycle.keep_active}): images are deprecated "
                "before they are deleted",
                ib.lifecycle.keep,
            )
        if ib.lock is None:
            continue
        versions = imagelock.recipe_versions(env)
        if len(versions) > imagelock.LIFECYCLE_RECIPES_MAX:
            dropped = versions[imagelock.LIFECYCLE_RECIPES_MAX :]
            yield Finding(
                ("image_builder", "recipe", "version"),
                f"the lock records {len(versions)} versions of recipe {ib.recipe.name}; the lifecycle "
                f"policy selects the newest {imagelock.LIFECYCLE_RECIPES_MAX} (AWS's limit), so AMIs of "
                f"{', '.join(dropped)} are no longer deprecated or deleted: clean them up and drop them from "
                "previous_versions in the lock",
                ib.recipe.version,
                warning=True,
            )


def _lock_items(env: Environment, ib: ImageBuilder) -> Iterator[tuple[Loc, str, Any, Any]]:
    """(loc, "component x" / "recipe y", its locked entry or None, its entry now), for each."""
    from core import imagelock  # late: imagelock imports the models only

    locked = (ib.lock or {}).get(env.name, {})
    now = imagelock.entries(ib, locked)
    for i, c in enumerate(ib.components):
        # an unreadable or invalid document is IB-COMPONENT-DOC's finding: its version waits for the fix
        if c.content is not None and next(document_problems(c.content), None) is None:
            loc: Loc = ("image_builder", "components", i, "version")
            yield (
                loc,
                f"component {c.name}",
                locked.get("components", {}).get(c.name),
                now["components"][c.name],
            )
    name = ib.recipe.name
    yield (
        ("image_builder", "recipe", "version"),
        f"recipe {name}",
        locked.get("recipes", {}).get(name),
        now["recipes"][name],
    )


@env_rule(
    "IB-VERSION-LOCK",
    "Changed component or recipe content comes with a higher version than the lock file records "
    "(immutable in AWS: new content under a recorded version would fail the apply), never a lower one.",
    f"{IB_GUIDE}/create-component-console.html",
)
def _ib_version_lock(env: Environment) -> Iterator[Finding]:
    from core import imagelock

    for ib in _ib(env):
        if ib.lock is None:
            yield Finding(("image_builder",), f"cannot read the lock file {LOCK_FILE} (invalid JSON?)")
            continue
        for loc, what, old, new in _lock_items(env, ib):
            if old is None:
                continue
            if new["version"] == old["version"] and new["sha256"] != old["sha256"]:
                yield Finding(
                    loc,
                    f"the content of {what} changed but its version did not (versions are immutable "
                    f"in AWS): bump version {old['version']} to {imagelock.next_patch(old['version'])}"
                    + (" (its components' versions changed)" if what.startswith("recipe") else ""),
                    new["version"],
                )
            elif imagelock.version_key(new["version"]) < imagelock.version_key(old["version"]):
                yield Finding(
                    loc, f"must not go below the locked version {old['version']} of {what}", new["version"]
                )


@env_rule(
    "IB-LOCK-CURRENT",
    "The lock file records the version of every component and recipe (`python main.py image-lock`), "
    "so each version that reaches AWS has exactly one recorded content.",
    f"{IB_GUIDE}/create-component-console.html",
)
def _ib_lock_current(env: Environment) -> Iterator[Finding]:
    from core import imagelock

    for ib in _ib(env):
        if ib.lock is None:
            continue  # IB-VERSION-LOCK reports it
        for loc, what, old, new in _lock_items(env, ib):
            if old is None:
                message = f"{what} is not in {LOCK_FILE}"
            elif imagelock.version_key(new["version"]) > imagelock.version_key(old["version"]):
                message = f"{LOCK_FILE} still records {what} at {old['version']}"
            else:
                continue
            yield Finding(loc, f"{message}: run `python main.py image-lock` and commit it", new["version"])


# --- across environments ------------------------------------------------------------------------


@project_rule(
    "CFG-REGISTRY-OWNER",
    "One stack owns the registry-level settings of an account and region.",
    f"{ECR_API}/API_PutRegistryScanningConfiguration.html",
)
def _registry_owner(envs: Sequence[Environment]) -> Iterator[tuple[str, Finding]]:
    owners: dict[tuple[str, str], str] = {}
    for env in envs:
        if env.ecr.registry is None:
            continue
        for region in dict.fromkeys(env.regions):  # a repeated region is CFG-REGIONS' problem
            key = (env.account_id, region)
            if key in owners:
                yield (
                    env.name,
                    Finding(
                        ("ecr", "registry"),
                        f"account {key[0]} in {region} already has its registry-level settings owned by "
                        f"environment '{owners[key]}'; remove 'registry' from one of them",
                    ),
                )
            else:
                owners[key] = env.name


@project_rule(
    "ECR-REPO-OWNER",
    "A repository name is defined by one environment per account and region (ECR names are "
    "unique in a registry; a second create fails with RepositoryAlreadyExistsException).",
    f"{ECR_API}/API_CreateRepository.html",
)
def _repo_owner(envs: Sequence[Environment]) -> Iterator[tuple[str, Finding]]:
    owners: dict[tuple[str, str, str], str] = {}
    for env in envs:
        for i, repo in enumerate(env.ecr.repositories):
            key = (env.account_id, env.primary_region, repo.name)
            owner = owners.setdefault(key, env.name)
            if owner != env.name:
                yield (
                    env.name,
                    Finding(
                        ("ecr", "repositories", i, "name"),
                        f"is already defined in account {key[0]} and {key[1]} by environment "
                        f"'{owner}'; define it in one of them",
                        repo.name,
                    ),
                )


@project_rule(
    "CA-DOMAIN-DUP",
    "A CodeArtifact domain name is defined once per account and region.",
    f"{CA_API}/API_CreateDomain.html",
)
def _ca_domain_unique(envs: Sequence[Environment]) -> Iterator[tuple[str, Finding]]:
    owners: dict[tuple[str, str, str], str] = {}
    for env in envs:
        if env.codeartifact is None:
            continue
        key = (env.account_id, env.primary_region, env.codeartifact.domain)
        if key in owners:
            yield (
                env.name,
                Finding(
                    ("codeartifact", "domain"),
                    f"is already defined in account {key[0]} and {key[1]} by environment '{owners[key]}'",
                    env.codeartifact.domain,
                ),
            )
        else:
            owners[key] = env.name


@project_rule(
    "ECR-REPL-DEST",
    "Warning: a replication destination registry this configuration does not manage.",
    f"{ECR_GUIDE}/registry-permissions-create-replication.html",
)
def _unmanaged_destination(envs: Sequence[Environment]) -> Iterator[tuple[str, Finding]]:
    from core.topology import replications  # late: topology imports the models only

    for rep in replications(envs):
        if rep.owner is not None:
            continue
        loc: Loc = ("ecr", "registry", "replication", rep.source_rule, "destinations", rep.destination_index)
        if rep.account != rep.source_account:
            message = (
                f"registry {rep.account}/{rep.region} is not managed by this configuration: its "
                f"registry policy must allow arn:aws:iam::{rep.source_account}:root the actions "
                "ecr:CreateRepository and ecr:ReplicateImage, and it should have a repository "
                "creation template (KMS, IMMUTABLE) for the replicated prefixes"
            )
        else:
            message = (
                f"region {rep.region} is not one of this environment's regions, so no stack sets its "
                "repository creation template: replicated repositories there get ECR's defaults "
                "(AES256, MUTABLE); add it to extra_regions"
            )
        yield rep.source, Finding(loc, message, f"{rep.account}/{rep.region}", warning=True)


# --- supply chain: image signing and the scan-findings gate -------------------------------------

SIGNER_GUIDE = "https://docs.aws.amazon.com/signer/latest/developerguide"
SNS_API = "https://docs.aws.amazon.com/sns/latest/api"

describe(
    "LOGS-RETENTION",
    "Log retention is one of the periods CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, ... 3653 days).",
    "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
)

# AWS Signer documents 135 months as the default (and longest) validity of a signature.
SIGNATURE_MAX_MONTHS = 135
_MONTHS_PER = {"DAYS": 12 / 365, "MONTHS": 1, "YEARS": 12}


@env_rule(
    "SIGN-VALIDITY",
    "A signature's validity is at most 135 months (AWS Signer's default and limit).",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-signer-signingprofile.html",
)
def _signature_validity(env: Environment) -> Iterator[Finding]:
    signing = env.supply_chain.signing if env.supply_chain else None
    if signing is None:
        return
    validity = signing.signature_validity
    if validity.value * _MONTHS_PER[validity.type] > SIGNATURE_MAX_MONTHS:
        yield Finding(
            ("supply_chain", "signing", "signature_validity"),
            f"must be at most {SIGNATURE_MAX_MONTHS} months (11 years, 4106 days)",
            f"{validity.value} {validity.type}",
        )


_SUBSCRIPTION_ENDPOINTS: dict[str, tuple[re.Pattern[str], str]] = {
    "email": (re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"), "an email address"),
    "email-json": (re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"), "an email address"),
    # RFC 3986 characters only ('{', '}', '"', spaces ... percent-encoded), so no Terraform template
    # (`${`, `%{`) can hide in a URL; an authority first (user:password@ for basic auth is allowed).
    "https": (
        re.compile(r"https://(?!/)(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})+"),
        "an https:// URL of RFC 3986 characters (percent-encode any other, e.g. '{' as %7B)",
    ),
    "sqs": (re.compile(r"arn:aws(?:-cn|-us-gov)?:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}"), "an SQS queue ARN"),
    "lambda": (
        re.compile(r"arn:aws(?:-cn|-us-gov)?:lambda:[a-z0-9-]+:\d{12}:function:[\w-]{1,64}(?::[\w$-]+)?"),
        "a Lambda function ARN",
    ),
    "sms": (re.compile(r"\+[1-9]\d{6,14}"), "a phone number in E.164 form such as '+819012345678'"),
}


@env_rule(
    "GATE-SUB-ENDPOINT",
    "A scan-findings subscription's endpoint fits its protocol (email address, https URL of RFC 3986 "
    "characters, SQS/Lambda ARN, E.164 number).",
    f"{SNS_API}/API_Subscribe.html",
)
def _gate_subscriptions(env: Environment) -> Iterator[Finding]:
    gate = env.supply_chain.scan_gate if env.supply_chain else None
    if gate is None:
        return
    for i, sub in enumerate(gate.subscriptions):
        regex, allowed = _SUBSCRIPTION_ENDPOINTS[sub.protocol]
        if not regex.fullmatch(sub.endpoint):
            yield Finding(
                ("supply_chain", "scan_gate", "subscriptions", i, "endpoint"),
                f"must be {allowed} for protocol '{sub.protocol}'",
                sub.endpoint,
            )


@env_rule(
    "GATE-SCAN-TYPE",
    "Warning: the scan gate cannot tell the registry's scanning type (no ecr.registry.scanning here), so it "
    "watches both ECR basic scans and Amazon Inspector findings.",
    f"{ECR_GUIDE}/image-scanning.html",
)
def _gate_scan_type(env: Environment) -> Iterator[Finding]:
    gate = env.supply_chain.scan_gate if env.supply_chain else None
    if gate is not None and (env.ecr.registry is None or env.ecr.registry.scanning is None):
        yield Finding(
            ("supply_chain", "scan_gate"),
            "this environment does not set ecr.registry.scanning, so the gate gets a rule for BASIC "
            "(aws.ecr 'ECR Image Scan') and one for ENHANCED (aws.inspector2) scanning",
            warning=True,
        )
