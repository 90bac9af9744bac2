"""The synthesized JSON of the reference configuration: stacks, providers, backends, ECR."""

from __future__ import annotations

import json

from tests.conftest import one, resources

PROD = "prod-ap-northeast-1"


def test_one_stack_per_environment_and_region(stacks):
    assert sorted(stacks) == [
        "dev-ap-northeast-1",
        "prod-ap-northeast-1",
        "prod-us-west-2",
        "stg-ap-northeast-1",
    ]


def test_providers_assume_the_deploy_role_and_pin_the_account(stacks):
    for name, stack in stacks.items():
        providers = stack["provider"]["aws"]
        [default] = [p for p in providers if "alias" not in p]
        assert default["region"] == name.split("-", 1)[1]
        for aliased in providers:  # extra regions (prod's S3 replica) get aliased providers
            if aliased is not default:
                assert aliased["alias"] == aliased["region"] != default["region"]
        env = name.split("-")[0]
        account = {"dev": "111111111111", "stg": "222222222222", "prod": "123456789012"}[env]
        for provider in providers:
            assert provider["allowed_account_ids"] == [account]
            assert provider["assume_role"] == [
                {
                    "role_arn": f"arn:aws:iam::{account}:role/artifact-platform-deployer",
                    "session_name": f"cdktf-{name}",
                }
            ]
            assert provider["default_tags"] == [
                {"tags": {"Environment": env, "ManagedBy": "cdktf", "Project": "artifact-platform"}}
            ]


def test_provider_version_constraint_admits_5_and_6(stacks):
    for stack in stacks.values():
        assert stack["terraform"]["required_providers"]["aws"] == {
            "source": "hashicorp/aws",
            "version": ">= 5.100, < 7.0",
        }


def test_backends_come_from_the_config(stacks):
    assert stacks["dev-ap-northeast-1"]["terraform"]["backend"] == {
        "local": {"path": "../../../state/dev-ap-northeast-1.tfstate"}
    }
    assert stacks[PROD]["terraform"]["backend"]["s3"] == {
        "bucket": "acme-terraform-state-123456789012",
        "key": "artifact-platform/prod-ap-northeast-1.tfstate",
        "region": "ap-northeast-1",
        "encrypt": True,
        "use_lockfile": True,
    }
    assert (
        stacks["prod-us-west-2"]["terraform"]["backend"]["s3"]["key"]
        == "artifact-platform/prod-us-west-2.tfstate"
    )


def test_repositories_are_immutable_and_kms_encrypted(stacks):
    for name in ("dev-ap-northeast-1", "stg-ap-northeast-1", PROD):
        repos = resources(stacks[name], "aws_ecr_repository")
        assert repos, name
        for repo in repos:
            assert repo["image_tag_mutability"] == "IMMUTABLE"
            [enc] = repo["encryption_configuration"]
            assert enc["encryption_type"] == "KMS"
            assert enc["kms_key"].startswith("${aws_kms_key.") and enc["kms_key"].endswith(".arn}")
            assert repo["force_delete"] is False


def test_prod_repositories(stacks):
    names = sorted(r["name"] for r in resources(stacks[PROD], "aws_ecr_repository"))
    assert names == ["prod-api", "prod-my-app", "tools/builder"]
    assert resources(stacks["prod-us-west-2"], "aws_ecr_repository") == []


def test_kms_keys_rotate(stacks):
    for stack in stacks.values():
        for key in resources(stack, "aws_kms_key"):
            assert key["enable_key_rotation"] is True
            assert key["deletion_window_in_days"] == 30
            policy = json.loads(key["policy"])
            assert policy["Statement"][0]["Principal"]["AWS"].endswith(":root")


def test_every_repository_gets_the_lifecycle_policy(stacks):
    for stack in stacks.values():
        repos = resources(stack, "aws_ecr_repository")
        policies = resources(stack, "aws_ecr_lifecycle_policy")
        assert len(policies) == len(repos)
        for policy in policies:
            doc = json.loads(policy["policy"])
            assert [r["rulePriority"] for r in doc["rules"]] == [1, 2, 3, 4, 5]
            assert "null" not in policy["policy"]


def test_prod_repositories_allow_cross_account_pull(stacks):
    policies = resources(stacks[PROD], "aws_ecr_repository_policy")
    assert len(policies) == 3
    doc = json.loads(policies[0]["policy"])
    assert doc["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::333333333333:root"}
    assert resources(stacks["dev-ap-northeast-1"], "aws_ecr_repository_policy") == []


def test_scanning_per_environment(stacks):
    dev = one(stacks["dev-ap-northeast-1"], "aws_ecr_registry_scanning_configuration")
    assert dev["scan_type"] == "BASIC"
    assert dev["rule"] == [
        {"scan_frequency": "SCAN_ON_PUSH", "repository_filter": [{"filter": "*", "filter_type": "WILDCARD"}]}
    ]
    for name in (PROD, "prod-us-west-2"):
        prod = one(stacks[name], "aws_ecr_registry_scanning_configuration")
        assert prod["scan_type"] == "ENHANCED"
        assert prod["rule"][0]["scan_frequency"] == "CONTINUOUS_SCAN"


def test_prod_replicates_prod_prefix_across_regions_and_accounts(stacks):
    repl = one(stacks[PROD], "aws_ecr_replication_configuration")
    [rule] = repl["replication_configuration"]["rule"]
    assert rule["destination"] == [
        {"region": "us-west-2", "registry_id": "123456789012"},
        {"region": "ap-northeast-1", "registry_id": "333333333333"},
    ]
    assert rule["repository_filter"] == [{"filter": "prod-", "filter_type": "PREFIX_MATCH"}]
    assert resources(stacks["prod-us-west-2"], "aws_ecr_replication_configuration") == []


def test_pull_through_cache_for_ecr_public(stacks):
    rule = one(stacks[PROD], "aws_ecr_pull_through_cache_rule")
    assert rule == {"ecr_repository_prefix": "ecr-public", "upstream_registry_url": "public.ecr.aws"}


def test_creation_templates_encrypt_replicated_and_cached_repositories(stacks):
    cache = one(stacks[PROD], "aws_ecr_repository_creation_template", prefix="ecr-public")
    assert cache["applied_for"] == ["PULL_THROUGH_CACHE"]
    assert cache["image_tag_mutability"] == "MUTABLE"  # cached tags are refreshed upstream
    # "prod-" is no namespace: ECR appends "/" to template prefixes, so only ROOT covers prod-*
    replica = one(stacks["prod-us-west-2"], "aws_ecr_repository_creation_template", prefix="ROOT")
    assert replica["applied_for"] == ["REPLICATION"]
    assert replica["image_tag_mutability"] == "IMMUTABLE"
    for template in (cache, replica):
        assert template["encryption_configuration"][0]["encryption_type"] == "KMS"
        assert template["custom_role_arn"].startswith("${aws_iam_role.")
        assert json.loads(template["lifecycle_policy"])["rules"][0]["rulePriority"] == 1
    role = one(stacks["prod-us-west-2"], "aws_iam_role")
    assert role["name"] == "acme-prod-ecr-templates-us-west-2"
    assert json.loads(role["assume_role_policy"])["Statement"][0]["Principal"] == {
        "Service": "ecr.amazonaws.com"
    }


def test_outputs(stacks):
    outputs = stacks[PROD]["output"]
    assert outputs["registry_id"]["value"] == "123456789012"
    assert set(outputs["repository_urls"]["value"]) == {"prod-my-app", "prod-api", "tools/builder"}
    assert (
        outputs["repository_arns"]["value"]["prod-api"]
        == "arn:aws:ecr:ap-northeast-1:123456789012:repository/prod-api"
    )
    assert outputs["repository_urls"]["value"]["tools/builder"] == (
        "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/tools/builder"
    )
    assert "repository_urls" not in stacks["prod-us-west-2"]["output"]


def test_no_absolute_paths_or_machine_values(synth_out):
    for path in (synth_out / "stacks").rglob("cdk.tf.json"):
        text = path.read_text()
        assert str(synth_out) not in text and "/tmp/" not in text and "/root" not in text
