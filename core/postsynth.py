"""Checks on the synthesized JSON itself, before it is swapped into place.

Some limits depend on names the modules compose (`{org}-{env}-{component}`, plus a region or a
recipe name), so they are checked on what will actually be sent to AWS, for every module at once:
a new module's resources are covered as soon as their type is listed here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from core.errors import Problem

# (resource type, argument) -> the longest name AWS accepts, with the source.
NAME_LIMITS: dict[tuple[str, str], tuple[int, str]] = {
    ("aws_iam_role", "name"): (64, "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html"),
    ("aws_iam_policy", "name"): (
        128,
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html",
    ),
    ("aws_iam_instance_profile", "name"): (
        128,
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateInstanceProfile.html",
    ),
    ("aws_lambda_function", "function_name"): (
        64,
        "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
    ),
    ("aws_cloudwatch_event_rule", "name"): (
        64,
        "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html",
    ),
    ("aws_sqs_queue", "name"): (
        80,
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
    ),
    ("aws_sns_topic", "name"): (256, "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html"),
    ("aws_dynamodb_table", "name"): (
        255,
        "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html",
    ),
    ("aws_signer_signing_profile", "name"): (
        64,
        "https://docs.aws.amazon.com/signer/latest/api/API_PutSigningProfile.html",
    ),
    ("aws_kms_alias", "name"): (
        256,
        "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html",
    ),
    ("aws_cloudwatch_log_group", "name"): (
        512,
        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
    ),
    ("aws_s3_bucket", "bucket"): (
        63,
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
    ),
    **{
        (f"aws_imagebuilder_{kind}", "name"): (
            128,
            "https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateImageRecipe.html",
        )
        for kind in (
            "component",
            "image_recipe",
            "infrastructure_configuration",
            "distribution_configuration",
            "image_pipeline",
            "lifecycle_policy",
        )
    },
    ("aws_codeartifact_domain", "domain"): (
        50,
        "https://docs.aws.amazon.com/codeartifact/latest/APIReference/API_CreateDomain.html",
    ),
}
RULE = "AWS-NAME-LENGTH"


def _literal_names(stack: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    for rtype, bodies in stack.get("resource", {}).items():
        for body in bodies.values():
            for (limited_type, argument), _ in NAME_LIMITS.items():
                value = body.get(argument) if limited_type == rtype else None
                if isinstance(value, str) and "${" not in value:
                    yield rtype, argument, value


def name_problems(stack_name: str, stack: dict[str, Any], file: str) -> list[Problem]:
    """Every name in `stack` longer than AWS allows, as problems of the environment's file."""
    problems = []
    for rtype, argument, value in _literal_names(stack):
        limit, _source = NAME_LIMITS[(rtype, argument)]
        if len(value) > limit:
            problems.append(
                Problem(
                    file,
                    ("org",),
                    f"makes {rtype}.{argument} in stack {stack_name} {len(value)} characters long, "
                    f"over AWS's limit of {limit}; shorten org, the environment (file) name or the "
                    "component name",
                    value,
                    RULE,
                )
            )
    return problems
