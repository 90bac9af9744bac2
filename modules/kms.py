"""A customer-managed KMS key with rotation on and an alias from the naming function."""

from __future__ import annotations

import json
from collections.abc import Sequence

from core.framework import Construct, aws
from core.models import Environment
from core.naming import kms_alias
from policies.iam import Document
from policies.kms import key_policy


class KmsKey(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        env: Environment,
        purpose: str,
        description: str,
        service_principals: Sequence[str] = (),
        user_accounts: Sequence[str] = (),
        provider: aws.AwsProvider | None = None,
        policy: Document | None = None,
    ) -> None:
        """`provider`: the stack's aliased provider when the key lives in another region;
        `policy`: a key policy replacing the default one (it must hold no Terraform token)."""
        super().__init__(scope, id_)
        key = aws.KmsKey(
            self,
            "key",
            description=description,
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=json.dumps(policy or key_policy(env.account_id, service_principals, user_accounts)),
            provider=provider,
        )
        aws.KmsAlias(self, "alias", name=kms_alias(env, purpose), target_key_id=key.key_id, provider=provider)
        self.key_arn: str = key.arn
        self.key_id: str = key.key_id
