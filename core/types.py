"""Constrained scalar types shared by the configuration models.

Each check raises a `RuleViolation` whose message says what is allowed; the loader adds the file,
field path and bad value. Rule IDs are stable: they are listed in docs/rules.md and used in tests.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StrictInt
from pydantic_core import PydanticCustomError


def violation(rule: str, message: str) -> PydanticCustomError:
    """An error pydantic collects like its own, carrying our rule ID."""
    return PydanticCustomError("rule", message, {"rule": rule})


def _strict_str(value: Any) -> Any:
    # YAML turns 111111111111 into an int and 0123 into 83: IDs must be quoted strings.
    if isinstance(value, bool | int | float):
        raise violation("CFG-QUOTE", "must be a quoted string in YAML (write it in quotes)")
    return value


def pattern(rule: str, regex: str, allowed: str, *, max_len: int | None = None) -> Callable[[str], str]:
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if max_len is not None and len(value) > max_len:
            raise violation(rule, f"must be at most {max_len} characters ({allowed})")
        if not compiled.fullmatch(value):
            raise violation(rule, f"must be {allowed}")
        return value

    return check


def _pattern_type(rule: str, regex: str, allowed: str, *, max_len: int | None = None) -> Any:
    return Annotated[
        str,
        BeforeValidator(_strict_str),
        AfterValidator(pattern(rule, regex, allowed, max_len=max_len)),
    ]


AccountId = _pattern_type("AWS-ACCOUNT-ID", r"\d{12}", "a 12-digit AWS account ID in quotes")


@functools.cache
def known_regions() -> frozenset[str]:
    """Regions in botocore's endpoint data (a runtime dependency, so no network)."""
    import botocore.session

    data = botocore.session.get_session().get_data("endpoints")
    return frozenset(r for partition in data["partitions"] for r in partition["regions"])


def _known_region(value: str) -> str:
    known = known_regions()
    if value not in known:
        close = sorted(difflib.get_close_matches(value, sorted(known), n=3, cutoff=0.8))
        hint = (
            f"did you mean {', '.join(close)}?" if close else "e.g. " + ", ".join(sorted(known)[:4]) + ", ..."
        )
        raise violation(
            "AWS-REGION-KNOWN",
            f"is not a region AWS lists (the AWS provider refuses it: invalid AWS Region); {hint} (a "
            "region launched after the pinned botocore needs `pipenv update botocore`)",
        )
    return value


Region = Annotated[
    str,
    BeforeValidator(_strict_str),
    AfterValidator(
        pattern(
            "AWS-REGION",
            r"[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d",
            "an AWS region code such as 'ap-northeast-1'",
        )
    ),
    AfterValidator(_known_region),
]
RoleArn = _pattern_type(
    "IAM-ROLE-ARN",
    r"arn:aws(-cn|-us-gov)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}",
    "an IAM role ARN such as 'arn:aws:iam::123456789012:role/deployer'",
)
OrgId = _pattern_type("AWS-ORG-ID", r"o-[a-z0-9]{10,32}", "an AWS Organizations ID such as 'o-a1b2c3d4e5'")
SecretArn = _pattern_type(
    "SECRET-ARN",
    r"arn:aws(-cn|-us-gov)?:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+",
    "a Secrets Manager secret ARN (secrets are referenced by ARN, never written in config)",
)
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
ECR_REPOSITORY_REGEX = r"(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"
EcrRepositoryName = _pattern_type(
    "ECR-REPO-NAME",
    ECR_REPOSITORY_REGEX,
    "2-256 lowercase letters, digits and single '.', '_', '-' separators, optionally in "
    "'/'-separated namespaces, starting and ending with a letter or digit",
    max_len=256,
)
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
S3NamePart = _pattern_type(
    "S3-NAME-PART",
    r"[a-z0-9]+(?:-[a-z0-9]+)*",
    "1-30 lowercase letters, digits or single '-' (a part of a bucket name)",
    max_len=30,
)
NamePart = _pattern_type(
    "NAME-PART",
    r"[a-z][a-z0-9-]{0,19}",
    "1-20 lowercase letters, digits or '-', starting with a letter",
)
# https://developer.hashicorp.com/terraform/language/expressions/version-constraints
ProviderVersion = _pattern_type(
    "TF-VERSION-CONSTRAINT",
    r"\s*(?:(?:=|!=|>|>=|<|<=|~>)\s*)?\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?\s*"
    r"(?:,\s*(?:(?:=|!=|>|>=|<|<=|~>)\s*)?\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?\s*)*",
    "a Terraform version constraint such as '>= 5.100, < 7.0'",
)

# https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions
_TAG_CHARS = r"[\w\s.:/=+\-@]"
TagKey = _pattern_type(
    "AWS-TAG",
    rf"(?!aws:){_TAG_CHARS}{{1,128}}",
    "1-128 letters, digits, spaces or _ . : / = + - @, not starting with 'aws:'",
)
TagValue = _pattern_type(
    "AWS-TAG", rf"{_TAG_CHARS}{{0,256}}", "0-256 letters, digits, spaces or _ . : / = + - @"
)
RelativeDir = _pattern_type(
    "CFG-RELATIVE-DIR",
    r"(?!.*(^|/)\.\.(/|$))[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*",
    "a relative folder path without '..' (letters, digits, '_', '.', '-', '/')",
)

# --- CodeArtifact ---------------------------------------------------------------------------------
# https://docs.aws.amazon.com/codeartifact/latest/APIReference/API_CreateDomain.html
CodeArtifactDomainName = _pattern_type(
    "CA-DOMAIN-NAME",
    r"[a-z][a-z0-9\-]{0,48}[a-z0-9]",
    "2-50 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit",
    max_len=50,
)
# https://docs.aws.amazon.com/codeartifact/latest/APIReference/API_CreateRepository.html
CodeArtifactRepositoryName = _pattern_type(
    "CA-REPO-NAME",
    r"[A-Za-z0-9][A-Za-z0-9._\-]{1,99}",
    "2-100 letters, digits, '.', '_' or '-', starting with a letter or digit",
    max_len=100,
)
# https://docs.aws.amazon.com/codeartifact/latest/APIReference/API_AssociateExternalConnection.html
# External connection -> the package format it serves.
CODEARTIFACT_EXTERNAL_CONNECTIONS: dict[str, str] = {
    "public:npmjs": "npm",
    "public:pypi": "pypi",
    "public:maven-central": "maven",
    "public:maven-googleandroid": "maven",
    "public:maven-gradleplugins": "maven",
    "public:maven-commonsware": "maven",
    "public:maven-clojars": "maven",
    "public:nuget-org": "nuget",
    "public:ruby-gems-org": "ruby",
    "public:crates-io": "cargo",
}
ExternalConnection = _pattern_type(
    "CA-EXT-CONN",
    "|".join(re.escape(name) for name in CODEARTIFACT_EXTERNAL_CONNECTIONS),
    "an external connection AWS supports: " + ", ".join(CODEARTIFACT_EXTERNAL_CONNECTIONS),
)

# --- EC2 Image Builder ----------------------------------------------------------------------------
# https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateComponent.html (semanticVersion)
SemanticVersion = _pattern_type(
    "IB-SEMVER",
    r"(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})",
    "a semantic version <major>.<minor>.<patch> of plain numbers such as '1.0.0' (no wildcards, "
    "no leading zeros)",
)
# https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateImageRecipe.html (name)
ImageBuilderName = _pattern_type(
    "IB-NAME",
    r"[a-z0-9][a-z0-9-]{0,98}[a-z0-9]",
    "2-100 lowercase letters, digits or '-', starting and ending with a letter or digit",
    max_len=100,
)
# https://docs.aws.amazon.com/imagebuilder/latest/userguide/cron-expressions.html
_CRON_FIELD = r"[0-9A-Za-z,\-*/?#L]+"
CronExpression = _pattern_type(
    "IB-CRON",
    rf"cron\({_CRON_FIELD}( {_CRON_FIELD}){{5}}\)",
    "Image Builder's six-field form 'cron(<minute> <hour> <day> <month> <day-of-week> <year>)', "
    "e.g. 'cron(0 0 ? * SUN *)'",
)
# https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html (<family>.<size>)
InstanceType = _pattern_type(
    "EC2-INSTANCE-TYPE",
    r"[a-z][a-z0-9]*(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*",
    "an EC2 instance type <family>.<size> of lowercase letters, digits and '-', such as 'm5.large'",
    max_len=64,
)
# https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateImageRecipe.html (workingDirectory)
WorkingDirectory = _pattern_type(
    "IB-WORKING-DIR",
    r"/[A-Za-z0-9._+@=,/-]*",
    "an absolute Linux path of letters, digits and . _ - + @ = , / such as '/var/tmp'",
    max_len=1024,
)
SubnetId = _pattern_type("EC2-SUBNET-ID", r"subnet-[0-9a-f]{8,17}", "a subnet ID such as 'subnet-0123abcd'")
SecurityGroupId = _pattern_type(
    "EC2-SG-ID", r"sg-[0-9a-f]{8,17}", "a security group ID such as 'sg-0123abcd'"
)
# https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html and _OrganizationalUnit
OrgArn = _pattern_type(
    "AWS-ORG-ARN",
    r"arn:aws(-cn|-us-gov)?:organizations::\d{12}:(organization/o-[a-z0-9]{10,32}|"
    r"ou/o-[a-z0-9]{10,32}/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})",
    "an organization or OU ARN such as 'arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5'",
)
KmsKeyArn = _pattern_type(
    "KMS-KEY-ARN",
    r"arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:(key/[0-9a-f-]{36}|key/mrk-[0-9a-f]{32}|alias/[\w/-]+)",
    "a KMS key ARN such as 'arn:aws:kms:us-west-2:123456789012:key/<uuid>'",
)
RelativeFile = _pattern_type(
    "CFG-RELATIVE-FILE",
    r"(?!.*(^|/)\.\.(/|$))[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*\.ya?ml",
    "a .yaml file path relative to the config folder, without '..' (e.g. "
    "'components/install-app-dependencies.yaml')",
)


# --- supply chain ---------------------------------------------------------------------------------
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
LOG_RETENTION_DAYS = (
    *(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731),
    *(1096, 1827, 2192, 2557, 2922, 3288, 3653),
)


def _retention(value: int) -> int:
    if value not in LOG_RETENTION_DAYS:
        raise violation(
            "LOGS-RETENTION",
            "must be one of the retention periods CloudWatch Logs accepts: "
            + ", ".join(map(str, LOG_RETENTION_DAYS)),
        )
    return value


LogRetentionDays = Annotated[StrictInt, AfterValidator(_retention)]
