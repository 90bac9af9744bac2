"""Pure policy builders: exact documents, no cdktf."""

from __future__ import annotations

from core.models import LifecycleRule, PullAccess
from policies.ecr import (
    find_nulls,
    lifecycle_policy,
    pull_policy,
    replication_registry_policy,
    template_prefix,
)


def test_reference_lifecycle_intent_becomes_five_single_prefix_rules(project):
    prod = next(e for e in project.environments if e.name == "prod")
    policy = lifecycle_policy(prod.ecr.defaults.lifecycle)
    selections = [(r["rulePriority"], r["selection"]) for r in policy["rules"]]
    assert selections == [
        (
            1,
            {
                "tagStatus": "tagged",
                "tagPrefixList": ["prod-"],
                "countType": "imageCountMoreThan",
                "countNumber": 10,
            },
        ),
        (
            2,
            {
                "tagStatus": "tagged",
                "tagPrefixList": ["release-"],
                "countType": "imageCountMoreThan",
                "countNumber": 10,
            },
        ),
        (
            3,
            {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1},
        ),
        (
            4,
            {
                "tagStatus": "tagged",
                "tagPrefixList": ["dev-"],
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14,
            },
        ),
        (
            5,
            {
                "tagStatus": "tagged",
                "tagPrefixList": ["feature-"],
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14,
            },
        ),
    ]
    assert all(r["action"] == {"type": "expire"} for r in policy["rules"])
    assert find_nulls(policy) == []


def test_priorities_follow_explicit_values_and_sort():
    rules = [
        LifecycleRule(tag_status="untagged", expire_after_days=1, priority=10),
        LifecycleRule(tag_status="tagged", tag_patterns=("v*",), keep_last=3, priority=2),
        LifecycleRule(tag_status="any", keep_last=100),
    ]
    policy = lifecycle_policy(rules)
    assert [r["rulePriority"] for r in policy["rules"]] == [2, 3, 10]
    assert policy["rules"][0]["selection"]["tagPatternList"] == ["v*"]


def test_find_nulls_reports_every_path():
    assert find_nulls({"rules": [{"a": None, "b": [1, None]}]}) == ["rules[0].a", "rules[0].b[1]"]


def test_pull_policy_for_accounts_and_organization():
    doc = pull_policy(
        PullAccess(account_ids=("333333333333", "222222222222"), organization_id="o-abcdefghij")
    )
    accounts, org = doc["Statement"]
    assert accounts["Principal"] == {
        "AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]
    }
    assert accounts["Action"] == [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
    ]
    assert "Resource" not in accounts
    assert org["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}


def test_replication_registry_policy_allows_only_replication():
    doc = replication_registry_policy("222222222222", "ap-northeast-1", ["123456789012"])
    [st] = doc["Statement"]
    assert st["Action"] == ["ecr:CreateRepository", "ecr:ReplicateImage"]
    assert st["Resource"] == ["arn:aws:ecr:ap-northeast-1:222222222222:repository/*"]
    assert st["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}


def test_template_prefix_is_a_namespace_or_root():
    """ECR-TEMPLATE-PREFIX: ECR appends "/" to a template prefix, so only a namespace maps to one."""
    assert template_prefix("prod-") == "ROOT"
    assert template_prefix("team-a/") == "team-a"
    assert template_prefix("team-a/svc/") == "team-a/svc"
    assert template_prefix("") == "ROOT"
    assert template_prefix("Bad/") == "ROOT"
