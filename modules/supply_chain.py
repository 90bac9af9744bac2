"""Supply-chain security: an AWS Signer profile for Notation, and the scan-findings gate.

`ImageSigning`: a signing profile (`Notation-OCI-SHA384-ECDSA`) and the IAM policy a CI signing
role attaches. `ScanFindingsGate`: EventBridge rules on CRITICAL findings (the pattern follows the
registry's scanning type) -> a KMS-encrypted SNS topic and the gate Lambda, which records the image
as blocked in a DynamoDB table that `check-image` reads. An event a target does not take is retried
(`retry_policy`), then lands in the gate's dead-letter queue, as do the Lambda's failed invocations.
Every policy comes from policies/supply_chain.py; ARNs known from names are computed (no token, plain JSON).
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from functools import cache
from pathlib import Path

from core.framework import AssetType, Construct, TerraformAsset, aws
from core.models import Environment, ScanGate, Signing
from core.naming import blocked_images_table, escape, partition, physical_name, signing_profile_name
from core.packaging import package_function
from modules.iam import service_role
from modules.kms import KmsKey
from policies.supply_chain import (
    NOTATION_PLATFORM,
    NOTATION_PLUGIN,
    ScanningType,
    dlq_policy,
    gate_function_policy,
    gate_key_policy,
    gate_patterns,
    signing_policy,
    topic_policy,
)

GATE_FUNCTION = "scan_gate"
LAMBDA_RUNTIME = "python3.12"
DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # SQS maximum: time to inspect and redrive
# EventBridge's retries of a target that does not take an event (defaults: 185 tries over 24 hours).
# Bounded like the function's asynchronous invocations (an hour): an undeliverable finding is in the
# dead-letter queue within the hour instead of a day later.
EVENT_MAX_AGE_SECONDS = 3600
EVENT_RETRY_ATTEMPTS = 8


def arn(service: str, region: str, account: str, resource: str) -> str:
    return f"arn:{partition(region)}:{service}:{region}:{account}:{resource}"


def signing_profile_arn(env: Environment) -> str:
    return arn("signer", env.primary_region, env.account_id, f"/signing-profiles/{signing_profile_name(env)}")


@cache
def _package() -> tuple[Path, str]:
    """The gate's deterministic zip, built once per process in a private temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="artifact-platform-lambda-"))
    atexit.register(shutil.rmtree, folder, True)
    return package_function(GATE_FUNCTION, folder)


class ImageSigning(Construct):
    """The environment's signing profile for container images and the CI signing policy."""

    def __init__(self, scope: Construct, id_: str, *, env: Environment, settings: Signing) -> None:
        super().__init__(scope, id_)
        validity = settings.signature_validity
        profile = aws.SignerSigningProfile(
            self,
            "profile",
            name=signing_profile_name(env),
            platform_id=NOTATION_PLATFORM,
            signature_validity_period=aws.SignerSigningProfileSignatureValidityPeriod(
                value=validity.value, type=validity.type
            ),
        )
        static_arn = signing_profile_arn(env)
        policy = aws.IamPolicy(
            self,
            "ci-policy",
            name=physical_name(env, "image-signing"),
            description=f"Sign and verify container images with the {signing_profile_name(env)} profile",
            policy=json.dumps(signing_policy(static_arn)),
        )
        self.profile_arn: str = profile.arn
        self.policy_arn: str = policy.arn
        self.sign_command = (
            f'notation sign <registry>/<repository>@<digest> --plugin "{NOTATION_PLUGIN}" --id "{static_arn}"'
        )
        self.verify_command = "notation verify <registry>/<repository>@<digest>"


class ScanFindingsGate(Construct):
    """CRITICAL findings -> encrypted topic + the gate Lambda (blocked-images table, DLQ)."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        env: Environment,
        settings: ScanGate,
        scanning_type: ScanningType | None,
    ) -> None:
        super().__init__(scope, id_)
        region, account = env.primary_region, env.account_id
        function_name = physical_name(env, "scan-gate")
        log_group_name = f"/aws/lambda/{function_name}"
        log_group_arn = arn("logs", region, account, f"log-group:{log_group_name}")
        topic_name = physical_name(env, "scan-findings")
        patterns = gate_patterns(scanning_type)
        rule_names = {suffix: physical_name(env, suffix) for suffix in patterns}
        rule_arns = [arn("events", region, account, f"rule/{n}") for n in rule_names.values()]
        dlq_name = physical_name(env, "scan-gate-dlq")
        dlq_arn = arn("sqs", region, account, dlq_name)

        key = KmsKey(
            self,
            "key",
            env=env,
            purpose="scan-gate",
            description=f"Scan-findings gate of {env.name}: topic, table, queue, logs",
            policy=gate_key_policy(account, region, log_group_arn),
        )
        table = aws.DynamodbTable(
            self,
            "blocked-images",
            name=blocked_images_table(env),
            billing_mode="PAY_PER_REQUEST",
            hash_key="image_ref",
            attribute=[aws.DynamodbTableAttribute(name="image_ref", type="S")],
            server_side_encryption=aws.DynamodbTableServerSideEncryption(
                enabled=True, kms_key_arn=key.key_arn
            ),
            point_in_time_recovery=aws.DynamodbTablePointInTimeRecovery(enabled=True),
            # Losing it unblocks every image: with prevent_destroy (a STATEFUL_TYPES type, so
            # stacks/region_stack.py marks it in prod) AWS refuses the delete too.
            deletion_protection_enabled=env.prevent_destroy,
        )
        topic = aws.SnsTopic(self, "topic", name=topic_name, kms_master_key_id=key.key_arn)
        topic_arn = arn("sns", region, account, topic_name)
        aws.SnsTopicPolicy(
            self,
            "topic-policy",
            arn=topic.arn,
            policy=json.dumps(topic_policy(topic_arn, account, rule_arns)),
        )
        for i, sub in enumerate(settings.subscriptions):
            aws.SnsTopicSubscription(
                self,
                f"subscription-{i}",
                topic_arn=topic.arn,
                protocol=sub.protocol,
                endpoint=escape(sub.endpoint),  # user text: `${`/`%{` reach SNS literally
            )
        # The queue policy is the queue's own attribute, not an aws_sqs_queue_policy: the provider
        # waits ~25 s for a separate policy to propagate, on create and again on destroy.
        dlq = aws.SqsQueue(
            self,
            "dlq",
            name=dlq_name,
            kms_master_key_id=key.key_arn,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            policy=json.dumps(dlq_policy(dlq_arn, rule_arns)),
        )
        log_group = aws.CloudwatchLogGroup(
            self,
            "logs",
            name=log_group_name,
            retention_in_days=settings.log_retention_days,
            kms_key_id=key.key_arn,
        )
        role, role_policy = service_role(
            self,
            "role",
            name=function_name,
            description="The scan-findings gate Lambda: record blocked images, publish a summary",
            service="lambda.amazonaws.com",
            policy=gate_function_policy(
                table_arn=arn("dynamodb", region, account, f"table/{blocked_images_table(env)}"),
                topic_arn=topic_arn,
                key_arn=key.key_arn,
                log_group_arn=log_group_arn,
                dlq_arn=dlq_arn,
            ),
            policy_name="scan-gate",
        )
        zip_path, code_hash = _package()
        package = TerraformAsset(self, "package", path=str(zip_path), type=AssetType.FILE)
        function = aws.LambdaFunction(
            self,
            "function",
            function_name=function_name,
            description="Blocks images with CRITICAL scan findings (functions/scan_gate)",
            role=role.arn,
            runtime=LAMBDA_RUNTIME,
            handler="handler.handler",
            filename=package.path,
            source_code_hash=code_hash,
            timeout=30,
            memory_size=128,
            kms_key_arn=key.key_arn,
            environment=aws.LambdaFunctionEnvironment(
                variables={"TABLE_NAME": blocked_images_table(env), "TOPIC_ARN": topic_arn}
            ),
            dead_letter_config=aws.LambdaFunctionDeadLetterConfig(target_arn=dlq.arn),
            tracing_config=aws.LambdaFunctionTracingConfig(mode="Active"),
            depends_on=[log_group, role_policy, table, topic],
        )
        aws.LambdaFunctionEventInvokeConfig(
            self,
            "invoke-config",
            function_name=function_name,
            maximum_retry_attempts=2,
            maximum_event_age_in_seconds=3600,
            depends_on=[function],
        )
        for suffix, pattern in patterns.items():
            rule = aws.CloudwatchEventRule(
                self,
                suffix,
                name=rule_names[suffix],
                description=f"CRITICAL image findings ({pattern['source'][0]}) -> the scan-findings gate",
                event_pattern=json.dumps(pattern),
            )
            for target, target_arn in (("lambda", function.arn), ("topic", topic.arn)):
                aws.CloudwatchEventTarget(
                    self,
                    f"{suffix}-{target}",
                    rule=rule_names[suffix],
                    arn=target_arn,
                    # generated structs, not dicts: a dict in a nested block can be dropped silently
                    retry_policy=aws.CloudwatchEventTargetRetryPolicy(
                        maximum_event_age_in_seconds=EVENT_MAX_AGE_SECONDS,
                        maximum_retry_attempts=EVENT_RETRY_ATTEMPTS,
                    ),
                    dead_letter_config=aws.CloudwatchEventTargetDeadLetterConfig(arn=dlq.arn),
                    depends_on=[rule],
                )
            aws.LambdaPermission(
                self,
                f"{suffix}-invoke",
                statement_id=f"events-{suffix}",
                action="lambda:InvokeFunction",
                function_name=function_name,
                principal="events.amazonaws.com",
                source_arn=rule.arn,
                depends_on=[function],
            )
        self.topic_arn: str = topic.arn
        self.table_name = blocked_images_table(env)
        self.function_name = function_name
        self.dlq_url: str = dlq.url
        self.rule_names = sorted(rule_names.values())
