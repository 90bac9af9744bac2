"""EC2 Image Builder: a scheduled, tested golden-AMI pipeline distributed across regions and accounts.

Components and the recipe are immutable in AWS; their versions follow content through the lock file
(core/imagelock.py, rules IB-VERSION-LOCK and IB-LOCK-CURRENT) and they are replaced
create-before-destroy, so a new version exists before the pipeline (or recipe) is pointed at it.
"""

from __future__ import annotations

from collections.abc import Callable

from core import imagelock
from core.framework import Construct, TerraformResourceLifecycle, aws
from core.models import Environment, ImageBuilder
from core.naming import bucket_name, escape, escape_tags, partition, physical_name
from modules.iam import service_role
from modules.kms import KmsKey
from modules.s3 import PrivateBucket, log_expiry_rule
from policies.imagebuilder import INSTANCE_MANAGED_POLICIES, LIFECYCLE_MANAGED_POLICY, logs_policy
from policies.kms import key_policy
from policies.s3 import bucket_policy

LOG_PREFIX = "image-builder/"
REPLACE_FIRST = TerraformResourceLifecycle(create_before_destroy=True)


def image_builder_service_role(account_id: str, region: str) -> str:
    """The role Image Builder creates in the account with its first image and acts as.
    https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-builder-service-linked-role.html"""
    return (
        f"arn:{partition(region)}:iam::{account_id}:role/aws-service-role/imagebuilder.amazonaws.com/"
        "AWSServiceRoleForImageBuilder"
    )


def managed_arn(region: str, kind: str, name: str) -> str:
    """An AWS-managed component or image at its latest version, resolved by Image Builder."""
    return f"arn:{partition(region)}:imagebuilder:{region}:aws:{kind}/{name}/x.x.x"


class ImagePipeline(Construct):
    """Components, recipe, infrastructure, distribution, pipeline and lifecycle policy."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        env: Environment,
        settings: ImageBuilder,
        provider_for: Callable[[str], aws.AwsProvider],
    ) -> None:
        super().__init__(scope, id_)
        region = env.primary_region
        name = physical_name(env, settings.recipe.name)
        perms = [d.launch_permission for d in settings.distributions if d.launch_permission]
        # every key an AMI copy may be encrypted with lets everyone the AMIs are shared with use it
        sharing = {
            "user_accounts": sorted({a for p in perms for a in p.account_ids}),
            "organization_arns": sorted({a for p in perms for a in p.organization_arns}),
            "organizational_unit_arns": sorted({a for p in perms for a in p.organizational_unit_arns}),
        }

        key = KmsKey(
            self,
            "key",
            env=env,
            purpose=f"imagebuilder-{region}",
            description=f"Image Builder volumes, logs, notifications and AMIs of {env.name} in {region}",
            policy=key_policy(
                env.account_id,
                service_principals=("sns.amazonaws.com", "imagebuilder.amazonaws.com"),
                # Image Builder publishes build notifications to the topic (encrypted with this key)
                # as its service-linked role
                service_linked_roles=(image_builder_service_role(env.account_id, region),),
                **sharing,
            ),
        )
        logs = PrivateBucket(
            self, "logs", name=bucket_name(env, "image-builder-logs", region), key_arn=key.key_arn
        )
        logs.attach_policy(bucket_policy(logs.bucket_arn, "1.2"))
        logs.add_lifecycle([log_expiry_rule("expire-build-logs", settings.log_expiration_days)])
        topic = aws.SnsTopic(self, "topic", name=name, kms_master_key_id=key.key_arn)

        components = {
            c.name: aws.ImagebuilderComponent(
                self,
                f"component-{c.name}",
                name=physical_name(env, c.name),
                version=c.version,
                platform="Linux",
                # a document is user text: `${HOME}` in a bash step must reach AWS, not Terraform
                data=escape(c.content) if c.content is not None else None,
                description=escape(c.description) if c.description else None,
                kms_key_id=key.key_arn,
                lifecycle=REPLACE_FIRST,
            ).arn
            for c in settings.components
        }
        recipe = aws.ImagebuilderImageRecipe(
            self,
            "recipe",
            name=name,
            version=settings.recipe.version,
            description=escape(settings.recipe.description) if settings.recipe.description else None,
            parent_image=managed_arn(region, "image", settings.recipe.parent_image),
            working_directory=escape(settings.recipe.working_directory)
            if settings.recipe.working_directory
            else None,
            component=[
                aws.ImagebuilderImageRecipeComponent(
                    component_arn=components.get(n) or managed_arn(region, "component", n)
                )
                for n in settings.recipe.components
            ],
            block_device_mapping=[
                aws.ImagebuilderImageRecipeBlockDeviceMapping(
                    device_name="/dev/xvda",
                    ebs=aws.ImagebuilderImageRecipeBlockDeviceMappingEbs(
                        volume_size=settings.recipe.root_volume.size_gib,
                        volume_type=settings.recipe.root_volume.type,
                        encrypted="true",
                        kms_key_id=key.key_arn,
                        delete_on_termination="true",
                    ),
                )
            ],
            lifecycle=REPLACE_FIRST,
        )

        role, _ = service_role(
            self,
            "instance-role",
            name=physical_name(env, "imagebuilder-instance"),
            description="Image Builder build and test instances",
            service="ec2.amazonaws.com",
            policy=logs_policy(logs.bucket_arn, LOG_PREFIX, key.key_arn),
            policy_name="write-build-logs",
            managed_policy_arns=INSTANCE_MANAGED_POLICIES,
        )
        profile = aws.IamInstanceProfile(self, "instance-profile", name=role.name, role=role.name)
        infrastructure = aws.ImagebuilderInfrastructureConfiguration(
            self,
            "infrastructure",
            name=name,
            instance_profile_name=profile.name,
            instance_types=list(settings.instance_types),
            subnet_id=settings.subnet_id,
            security_group_ids=list(settings.security_group_ids) or None,
            terminate_instance_on_failure=True,
            sns_topic_arn=topic.arn,
            instance_metadata_options=aws.ImagebuilderInfrastructureConfigurationInstanceMetadataOptions(
                http_tokens="required", http_put_response_hop_limit=2
            ),
            logging=aws.ImagebuilderInfrastructureConfigurationLogging(
                s3_logs=aws.ImagebuilderInfrastructureConfigurationLoggingS3Logs(
                    # the bucket's attribute, not its name string: Terraform creates the bucket first
                    s3_bucket_name=logs.bucket_id,
                    s3_key_prefix=LOG_PREFIX.rstrip("/"),
                )
            ),
        )

        self.region_key_arns: dict[str, str] = {}
        distributions = []
        for dist in settings.distributions:
            key_arn = dist.kms_key_arn
            if key_arn is None:
                key_arn = (
                    key.key_arn
                    if dist.region == region
                    else KmsKey(
                        self,
                        f"key-{dist.region}",
                        env=env,
                        purpose=f"imagebuilder-{dist.region}",
                        description=f"Image Builder AMIs of {env.name} in {dist.region}",
                        policy=key_policy(env.account_id, **sharing),
                        provider=provider_for(dist.region),
                    ).key_arn
                )
            self.region_key_arns[dist.region] = key_arn
            perm = dist.launch_permission
            distributions.append(
                aws.ImagebuilderDistributionConfigurationDistribution(
                    region=dist.region,
                    ami_distribution_configuration=aws.ImagebuilderDistributionConfigurationDistributionAmiDistributionConfiguration(
                        name=f"{settings.recipe.name}-{settings.ami_name}",
                        description=f"{settings.recipe.name} built by {name}",
                        ami_tags=escape_tags(dict(settings.ami_tags)) or None,
                        kms_key_id=key_arn,
                        launch_permission=aws.ImagebuilderDistributionConfigurationDistributionAmiDistributionConfigurationLaunchPermission(
                            user_ids=list(perm.account_ids) or None,
                            organization_arns=list(perm.organization_arns) or None,
                            organizational_unit_arns=list(perm.organizational_unit_arns) or None,
                        )
                        if perm is not None
                        else None,
                    ),
                )
            )
        distribution = aws.ImagebuilderDistributionConfiguration(
            self, "distribution", name=name, distribution=distributions
        )
        pipeline = aws.ImagebuilderImagePipeline(
            self,
            "pipeline",
            name=name,
            image_recipe_arn=recipe.arn,
            infrastructure_configuration_arn=infrastructure.arn,
            distribution_configuration_arn=distribution.arn,
            schedule=aws.ImagebuilderImagePipelineSchedule(
                schedule_expression=settings.schedule,
                pipeline_execution_start_condition=settings.start_condition,
            ),
            image_tests_configuration=aws.ImagebuilderImagePipelineImageTestsConfiguration(
                image_tests_enabled=True, timeout_minutes=settings.image_tests_timeout_minutes
            ),
        )

        lifecycle_role, _ = service_role(
            self,
            "lifecycle-role",
            name=physical_name(env, "imagebuilder-lifecycle"),
            description="Image Builder lifecycle policy execution",
            service="imagebuilder.amazonaws.com",
            managed_policy_arns=(LIFECYCLE_MANAGED_POLICY,),
        )
        aws.ImagebuilderLifecyclePolicy(
            self,
            "lifecycle",
            name=name,
            description=f"Deprecate {settings.recipe.name} AMIs beyond the newest "
            f"{settings.lifecycle.keep_active} of each recipe version, delete them with their snapshots "
            f"beyond {settings.lifecycle.keep}",
            execution_role=lifecycle_role.arn,
            resource_type="AMI_IMAGE",
            status="ENABLED",
            policy_detail=[
                aws.ImagebuilderLifecyclePolicyPolicyDetail(
                    action=[aws.ImagebuilderLifecyclePolicyPolicyDetailAction(type="DEPRECATE")],
                    filter=[
                        aws.ImagebuilderLifecyclePolicyPolicyDetailFilter(
                            type="COUNT", value=settings.lifecycle.keep_active
                        )
                    ],
                ),
                aws.ImagebuilderLifecyclePolicyPolicyDetail(
                    action=[
                        aws.ImagebuilderLifecyclePolicyPolicyDetailAction(
                            type="DELETE",
                            include_resources=[
                                aws.ImagebuilderLifecyclePolicyPolicyDetailActionIncludeResources(
                                    amis=True, snapshots=True
                                )
                            ],
                        )
                    ],
                    filter=[
                        aws.ImagebuilderLifecyclePolicyPolicyDetailFilter(
                            type="COUNT", value=settings.lifecycle.keep
                        )
                    ],
                ),
            ],
            # Every version of the recipe that built AMIs, not only the current one: after a bump the
            # older versions' AMIs are still deprecated and deleted (retention counts per version:
            # https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-rules.html).
            # Not `x.x.x`: AWS accepts version wildcards here, but provider 5.100 (and 6.x before
            # hashicorp/terraform-provider-aws#47443) validates ^[0-9]+\.[0-9]+\.[0-9]+$. Not
            # tag_map: it matches tags of Image Builder image resources, which a pipeline only sets
            # through imageTags, an argument the provider lacks (#50112). The recipe's name as its
            # attribute, so the policy follows the recipe it selects.
            resource_selection=[
                aws.ImagebuilderLifecyclePolicyResourceSelection(
                    recipe=[
                        aws.ImagebuilderLifecyclePolicyResourceSelectionRecipe(
                            name=recipe.name, semantic_version=v
                        )
                        for v in imagelock.recipe_versions(env)[: imagelock.LIFECYCLE_RECIPES_MAX]
                    ]
                )
            ],
        )

        self.pipeline_arn: str = pipeline.arn
        self.recipe_arn: str = recipe.arn
        self.topic_arn: str = topic.arn
        self.log_bucket_name = logs.bucket_name
