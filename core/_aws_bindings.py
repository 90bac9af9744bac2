"""The AWS provider classes this project uses, and only those (see core/framework.py).

Import this module only through `core.framework.aws`: the framework seam decides how the provider
package is loaded before these imports run. Add a line here when a module needs a new resource.
"""

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
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from cdktf_cdktf_provider_aws.provider import (
    AwsProvider,
    AwsProviderAssumeRole,
    AwsProviderDefaultTags,
)

__all__ = [
    "AwsProvider",
    "AwsProviderAssumeRole",
    "AwsProviderDefaultTags",
    "CodeartifactDomain",
    "CodeartifactDomainPermissionsPolicy",
    "CodeartifactRepository",
    "CodeartifactRepositoryExternalConnections",
    "CodeartifactRepositoryPermissionsPolicy",
    "CodeartifactRepositoryUpstream",
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
    "IamRole",
    "IamRolePolicy",
    "KmsAlias",
    "KmsKey",
]
