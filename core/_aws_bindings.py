"""The AWS provider classes this project uses, and only those (see core/framework.py).

Import this module only through `core.framework.aws`: the framework seam decides how the provider
package is loaded before these imports run. Add a line here when a module needs a new resource.
"""

from cdktf_cdktf_provider_aws.cloudwatch_event_rule import CloudwatchEventRule
from cdktf_cdktf_provider_aws.cloudwatch_event_target import (
    CloudwatchEventTarget,
    CloudwatchEventTargetDeadLetterConfig,
    CloudwatchEventTargetRetryPolicy,
)
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.codeartifact_domain import CodeartifactDomain
from cdktf_cdktf_provider_aws.codeartifact_domain_permissions_policy import (
    CodeartifactDomainPermissionsPolicy,
)
from cdktf_cdktf_provider_aws.codeartifact_repository import (
    CodeartifactRepository,
    CodeartifactRepositoryExternalConnections,
    CodeartifactRepositoryUpstream,
)
from cdktf_cdktf_provider_aws.codeartifact_repository_permissions_policy import (
    CodeartifactRepositoryPermissionsPolicy,
)
from cdktf_cdktf_provider_aws.dynamodb_table import (
    DynamodbTable,
    DynamodbTableAttribute,
    DynamodbTablePointInTimeRecovery,
    DynamodbTableServerSideEncryption,
)
from cdktf_cdktf_provider_aws.ecr_lifecycle_policy import EcrLifecyclePolicy
from cdktf_cdktf_provider_aws.ecr_pull_through_cache_rule import EcrPullThroughCacheRule
from cdktf_cdktf_provider_aws.ecr_registry_policy import EcrRegistryPolicy
from cdktf_cdktf_provider_aws.ecr_registry_scanning_configuration import (
    EcrRegistryScanningConfiguration,
    EcrRegistryScanningConfigurationRule,
    EcrRegistryScanningConfigurationRuleRepositoryFilter,
)
from cdktf_cdktf_provider_aws.ecr_replication_configuration import (
    EcrReplicationConfiguration,
    EcrReplicationConfigurationReplicationConfiguration,
    EcrReplicationConfigurationReplicationConfigurationRule,
    EcrReplicationConfigurationReplicationConfigurationRuleDestination,
    EcrReplicationConfigurationReplicationConfigurationRuleRepositoryFilter,
)
from cdktf_cdktf_provider_aws.ecr_repository import (
    EcrRepository,
    EcrRepositoryEncryptionConfiguration,
)
from cdktf_cdktf_provider_aws.ecr_repository_creation_template import (
    EcrRepositoryCreationTemplate,
    EcrRepositoryCreationTemplateEncryptionConfiguration,
)
from cdktf_cdktf_provider_aws.ecr_repository_policy import EcrRepositoryPolicy
from cdktf_cdktf_provider_aws.iam_instance_profile import IamInstanceProfile
from cdktf_cdktf_provider_aws.iam_policy import IamPolicy
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.imagebuilder_component import ImagebuilderComponent
from cdktf_cdktf_provider_aws.imagebuilder_distribution_configuration import (
    ImagebuilderDistributionConfiguration,
    ImagebuilderDistributionConfigurationDistribution,
    ImagebuilderDistributionConfigurationDistributionAmiDistributionConfiguration,
    ImagebuilderDistributionConfigurationDistributionAmiDistributionConfigurationLaunchPermission,
)
from cdktf_cdktf_provider_aws.imagebuilder_image_pipeline import (
    ImagebuilderImagePipeline,
    ImagebuilderImagePipelineImageTestsConfiguration,
    ImagebuilderImagePipelineSchedule,
)
from cdktf_cdktf_provider_aws.imagebuilder_image_recipe import (
    ImagebuilderImageRecipe,
    ImagebuilderImageRecipeBlockDeviceMapping,
    ImagebuilderImageRecipeBlockDeviceMappingEbs,
    ImagebuilderImageRecipeComponent,
)
from cdktf_cdktf_provider_aws.imagebuilder_infrastructure_configuration import (
    ImagebuilderInfrastructureConfiguration,
    ImagebuilderInfrastructureConfigurationInstanceMetadataOptions,
    ImagebuilderInfrastructureConfigurationLogging,
    ImagebuilderInfrastructureConfigurationLoggingS3Logs,
)
from cdktf_cdktf_provider_aws.imagebuilder_lifecycle_policy import (
    ImagebuilderLifecyclePolicy,
    ImagebuilderLifecyclePolicyPolicyDetail,
    ImagebuilderLifecyclePolicyPolicyDetailAction,
    ImagebuilderLifecyclePolicyPolicyDetailActionIncludeResources,
    ImagebuilderLifecyclePolicyPolicyDetailFilter,
    ImagebuilderLifecyclePolicyResourceSelection,
    ImagebuilderLifecyclePolicyResourceSelectionRecipe,
)
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from cdktf_cdktf_provider_aws.lambda_function import (
    LambdaFunction,
    LambdaFunctionDeadLetterConfig,
    LambdaFunctionEnvironment,
    LambdaFunctionTracingConfig,
)
from cdktf_cdktf_provider_aws.lambda_function_event_invoke_config import LambdaFunctionEventInvokeConfig
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from cdktf_cdktf_provider_aws.provider import (
    AwsProvider,
    AwsProviderAssumeRole,
    AwsProviderDefaultTags,
)
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleFilterAnd,
    S3BucketLifecycleConfigurationRuleFilterTag,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionTransition,
    S3BucketLifecycleConfigurationRuleTransition,
)
from cdktf_cdktf_provider_aws.s3_bucket_logging import S3BucketLoggingA
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import (
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
)
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_replication_configuration import (
    S3BucketReplicationConfigurationA,
    S3BucketReplicationConfigurationRule,
    S3BucketReplicationConfigurationRuleDeleteMarkerReplication,
    S3BucketReplicationConfigurationRuleDestination,
    S3BucketReplicationConfigurationRuleDestinationEncryptionConfiguration,
    S3BucketReplicationConfigurationRuleFilter,
    S3BucketReplicationConfigurationRuleSourceSelectionCriteria,
    S3BucketReplicationConfigurationRuleSourceSelectionCriteriaSseKmsEncryptedObjects,
)
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import (
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)
from cdktf_cdktf_provider_aws.signer_signing_profile import (
    SignerSigningProfile,
    SignerSigningProfileSignatureValidityPeriod,
)
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_policy import SnsTopicPolicy
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue

__all__ = [
    "AwsProvider",
    "AwsProviderAssumeRole",
    "AwsProviderDefaultTags",
    "CloudwatchEventRule",
    "CloudwatchEventTarget",
    "CloudwatchEventTargetDeadLetterConfig",
    "CloudwatchEventTargetRetryPolicy",
    "CloudwatchLogGroup",
    "CodeartifactDomain",
    "CodeartifactDomainPermissionsPolicy",
    "CodeartifactRepository",
    "CodeartifactRepositoryExternalConnections",
    "CodeartifactRepositoryPermissionsPolicy",
    "CodeartifactRepositoryUpstream",
    "DynamodbTable",
    "DynamodbTableAttribute",
    "DynamodbTablePointInTimeRecovery",
    "DynamodbTableServerSideEncryption",
    "EcrLifecyclePolicy",
    "EcrPullThroughCacheRule",
    "EcrRegistryPolicy",
    "EcrRegistryScanningConfiguration",
    "EcrRegistryScanningConfigurationRule",
    "EcrRegistryScanningConfigurationRuleRepositoryFilter",
    "EcrReplicationConfiguration",
    "EcrReplicationConfigurationReplicationConfiguration",
    "EcrReplicationConfigurationReplicationConfigurationRule",
    "EcrReplicationConfigurationReplicationConfigurationRuleDestination",
    "EcrReplicationConfigurationReplicationConfigurationRuleRepositoryFilter",
    "EcrRepository",
    "EcrRepositoryCreationTemplate",
    "EcrRepositoryCreationTemplateEncryptionConfiguration",
    "EcrRepositoryEncryptionConfiguration",
    "EcrRepositoryPolicy",
    "IamInstanceProfile",
    "IamPolicy",
    "IamRole",
    "IamRolePolicy",
    "IamRolePolicyAttachment",
    "ImagebuilderComponent",
    "ImagebuilderDistributionConfiguration",
    "ImagebuilderDistributionConfigurationDistribution",
    "ImagebuilderDistributionConfigurationDistributionAmiDistributionConfiguration",
    "ImagebuilderDistributionConfigurationDistributionAmiDistributionConfigurationLaunchPermission",
    "ImagebuilderImagePipeline",
    "ImagebuilderImagePipelineImageTestsConfiguration",
    "ImagebuilderImagePipelineSchedule",
    "ImagebuilderImageRecipe",
    "ImagebuilderImageRecipeBlockDeviceMapping",
    "ImagebuilderImageRecipeBlockDeviceMappingEbs",
    "ImagebuilderImageRecipeComponent",
    "ImagebuilderInfrastructureConfiguration",
    "ImagebuilderInfrastructureConfigurationInstanceMetadataOptions",
    "ImagebuilderInfrastructureConfigurationLogging",
    "ImagebuilderInfrastructureConfigurationLoggingS3Logs",
    "ImagebuilderLifecyclePolicy",
    "ImagebuilderLifecyclePolicyPolicyDetail",
    "ImagebuilderLifecyclePolicyPolicyDetailAction",
    "ImagebuilderLifecyclePolicyPolicyDetailActionIncludeResources",
    "ImagebuilderLifecyclePolicyPolicyDetailFilter",
    "ImagebuilderLifecyclePolicyResourceSelection",
    "ImagebuilderLifecyclePolicyResourceSelectionRecipe",
    "KmsAlias",
    "KmsKey",
    "LambdaFunction",
    "LambdaFunctionDeadLetterConfig",
    "LambdaFunctionEnvironment",
    "LambdaFunctionEventInvokeConfig",
    "LambdaFunctionTracingConfig",
    "LambdaPermission",
    "S3Bucket",
    "S3BucketLifecycleConfiguration",
    "S3BucketLifecycleConfigurationRule",
    "S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload",
    "S3BucketLifecycleConfigurationRuleExpiration",
    "S3BucketLifecycleConfigurationRuleFilter",
    "S3BucketLifecycleConfigurationRuleFilterAnd",
    "S3BucketLifecycleConfigurationRuleFilterTag",
    "S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration",
    "S3BucketLifecycleConfigurationRuleNoncurrentVersionTransition",
    "S3BucketLifecycleConfigurationRuleTransition",
    "S3BucketLoggingA",
    "S3BucketOwnershipControls",
    "S3BucketOwnershipControlsRule",
    "S3BucketPolicy",
    "S3BucketPublicAccessBlock",
    "S3BucketReplicationConfigurationA",
    "S3BucketReplicationConfigurationRule",
    "S3BucketReplicationConfigurationRuleDeleteMarkerReplication",
    "S3BucketReplicationConfigurationRuleDestination",
    "S3BucketReplicationConfigurationRuleDestinationEncryptionConfiguration",
    "S3BucketReplicationConfigurationRuleFilter",
    "S3BucketReplicationConfigurationRuleSourceSelectionCriteria",
    "S3BucketReplicationConfigurationRuleSourceSelectionCriteriaSseKmsEncryptedObjects",
    "S3BucketServerSideEncryptionConfigurationA",
    "S3BucketServerSideEncryptionConfigurationRuleA",
    "S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA",
    "S3BucketVersioningA",
    "S3BucketVersioningVersioningConfiguration",
    "SignerSigningProfile",
    "SignerSigningProfileSignatureValidityPeriod",
    "SnsTopic",
    "SnsTopicPolicy",
    "SnsTopicSubscription",
    "SqsQueue",
]
