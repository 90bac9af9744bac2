"""Physical names and stack names: one place, never derived from construct IDs."""

from __future__ import annotations

from typing import Any

from core.models import Environment


def stack_name(env: Environment, region: str) -> str:
    """`prod-ap-northeast-1`: the environment and the place."""
    return f"{env.name}-{region}"


def physical_name(env: Environment, component: str) -> str:
    """`{org}-{env}-{component}`, the prefix of every named resource the stacks create."""
    return f"{env.org}-{env.name}-{component}"


def kms_alias(env: Environment, purpose: str) -> str:
    return f"alias/{physical_name(env, purpose)}"


def state_key(prefix: str, stack: str) -> str:
    return f"{prefix.strip('/')}/{stack}.tfstate"


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def dns_suffix(region: str) -> str:
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


def ecr_repository_arn(account_id: str, region: str, name: str) -> str:
    """Known before apply, so plans and outputs show real values (no AWS call, no token)."""
    return f"arn:{partition(region)}:ecr:{region}:{account_id}:repository/{name}"


def ecr_repository_url(account_id: str, region: str, name: str) -> str:
    return f"{account_id}.dkr.ecr.{region}.{dns_suffix(region)}/{name}"


def bucket_name(env: Environment, component: str, region: str) -> str:
    """`{org}-{env}-{component}-{account}-{region}`: distinct per environment, account and region."""
    return f"{physical_name(env, component)}-{env.account_id}-{region}"


def escape(text: str) -> str:
    """Make a literal string safe in Terraform JSON: `${` and `%{` would start a template there."""
    return text.replace("${", "$${").replace("%{", "%%{")


# --- supply chain ---------------------------------------------------------------------------------


def signing_profile_name(env: Environment) -> str:
    """AWS Signer profile names allow only letters, digits and '_': `{org}_{env}_images`."""
    return physical_name(env, "images").replace("-", "_")


def blocked_images_table(env: Environment) -> str:
    """The scan gate's DynamoDB table of blocked images (read by `check-image`)."""
    return physical_name(env, "blocked-images")


def escape_tags(tags: dict[str, str]) -> dict[str, str]:
    """Tag keys and values are user text: escaped like any other literal."""
    return {escape(key): escape(value) for key, value in tags.items()}


def escape_all(value: Any) -> Any:
    """Every string inside a plain document (dicts, lists) escaped; for user-written documents."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {escape(k) if isinstance(k, str) else k: escape_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escape_all(v) for v in value]
    return value
