"""ECR rules enforced at load time: lifecycle grammar, pull-through cache, scanning, replication."""

from __future__ import annotations

import pytest

from tests.unit.helpers import edit, error_for, errors, loads


def lifecycle(d):
    return d["ecr"]["defaults"]["lifecycle"]


def test_rejects_duplicate_lifecycle_priorities(config_dir):
    def change(d):
        lifecycle(d)[2]["priority"] = 1

    edit(config_dir, "dev", change)
    message = error_for(config_dir, "[ECR-LC-PRIORITY]")
    assert "ecr.defaults.lifecycle[2].priority: must be unique; rule 0 already has priority 1" in message


def test_rejects_tagged_rule_without_prefixes(config_dir):
    edit(config_dir, "dev", lambda d: lifecycle(d)[0].pop("tag_prefixes"))
    message = error_for(config_dir, "[ECR-LC-TAGGED]")
    assert "ecr.defaults.lifecycle[0].tag_status: 'tagged' needs tag_prefixes or tag_patterns" in message


def test_rejects_any_rule_that_is_not_last(config_dir):
    def change(d):
        lifecycle(d).insert(0, {"tag_status": "any", "keep_last": 50})

    edit(config_dir, "dev", change)
    message = error_for(config_dir, "[ECR-LC-ANY-LAST]")
    assert "lifecycle[0].tag_status: a rule matching 'any' tag status must be evaluated last" in message


def test_accepts_any_rule_evaluated_last(config_dir):
    edit(config_dir, "dev", lambda d: lifecycle(d).append({"tag_status": "any", "keep_last": 500}))
    [dev] = loads(config_dir).select(["dev"])
    assert dev.ecr.defaults.lifecycle[-1].tag_status == "any"


def test_rejects_rule_with_two_actions(config_dir):
    edit(config_dir, "dev", lambda d: lifecycle(d)[0].update(expire_after_days=3))
    assert "must set exactly one of keep_last" in error_for(config_dir, "[ECR-LC-ACTION]")


def test_rejects_zero_count(config_dir):
    edit(config_dir, "dev", lambda d: lifecycle(d)[0].update(keep_last=0))
    assert "lifecycle[0].keep_last: must be at least 1, got 0" in error_for(config_dir, "keep_last")


def test_rejects_wildcard_in_prefix(config_dir):
    edit(config_dir, "dev", lambda d: lifecycle(d)[0].update(tag_prefixes=["prod-*"]))
    assert "use tag_patterns for wildcards" in error_for(config_dir, "[ECR-LC-PATTERN]")


def test_warns_that_several_prefixes_select_images_with_all_of_them(config_dir):
    edit(config_dir, "dev", lambda d: lifecycle(d)[3].update(tag_prefixes=["dev-", "feature-"]))
    [warning] = [w for w in loads(config_dir).warnings if w.rule == "ECR-LC-PREFIX-AND"]
    assert "every one of these prefixes" in warning.render()
    assert "['dev-', 'feature-']" in warning.render()


def test_rejects_docker_hub_cache_without_credential(config_dir):
    def change(d):
        d["ecr"]["registry"]["pull_through_cache"].append(
            {"prefix": "docker-hub", "upstream": "registry-1.docker.io"}
        )

    edit(config_dir, "prod", change)
    message = error_for(config_dir, "[ECR-PTC]")
    assert "pull_through_cache[1].credential_secret_arn: is required for registry-1.docker.io" in message


def test_rejects_cache_secret_without_required_prefix(config_dir):
    arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:dockerhub-AbCdEf"

    def change(d):
        d["ecr"]["registry"]["pull_through_cache"].append(
            {"prefix": "docker-hub", "upstream": "registry-1.docker.io", "credential_secret_arn": arn}
        )

    edit(config_dir, "prod", change)
    message = error_for(config_dir, "[ECR-PTC]")
    assert "starts with 'ecr-pullthroughcache/'" in message and arn in message


def test_accepts_docker_hub_cache_with_prefixed_secret(config_dir):
    arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:ecr-pullthroughcache/dockerhub-AbCdEf"

    def change(d):
        d["ecr"]["registry"]["pull_through_cache"].append(
            {"prefix": "docker-hub", "upstream": "registry-1.docker.io", "credential_secret_arn": arn}
        )

    edit(config_dir, "prod", change)
    [prod] = loads(config_dir).select(["prod"])
    assert prod.ecr.registry.pull_through_cache[1].credential_secret_arn == arn


def test_rejects_unsupported_cache_upstream(config_dir):
    edit(
        config_dir,
        "prod",
        lambda d: d["ecr"]["registry"]["pull_through_cache"][0].update(upstream="example.com"),
    )
    assert "must be a supported upstream: public.ecr.aws" in error_for(config_dir, "[ECR-PTC]")


def test_rejects_continuous_scan_with_basic_scanning(config_dir):
    edit(config_dir, "dev", lambda d: d["ecr"]["registry"]["scanning"].update(frequency="CONTINUOUS_SCAN"))
    message = error_for(config_dir, "[ECR-SCAN]")
    assert "BASIC scanning supports SCAN_ON_PUSH or MANUAL, got 'CONTINUOUS_SCAN'" in message


def test_rejects_replication_to_itself(config_dir):
    edit(
        config_dir,
        "prod",
        lambda d: d["ecr"]["registry"]["replication"][0]["destinations"].append({"region": "ap-northeast-1"}),
    )
    assert "must differ from the source registry" in error_for(config_dir, "[ECR-REPL]")


def _docker_hub(arn):
    def change(d):
        d["ecr"]["registry"]["pull_through_cache"].append(
            {"prefix": "docker-hub", "upstream": "registry-1.docker.io", "credential_secret_arn": arn}
        )

    return change


def test_accepts_cache_secret_in_the_registry_account_and_region(config_dir):
    arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:ecr-pullthroughcache/docker-AbCdEf"
    edit(config_dir, "prod", _docker_hub(arn))
    [prod] = loads(config_dir).select(["prod"])
    assert prod.ecr.registry.pull_through_cache[1].credential_secret_arn == arn


@pytest.mark.parametrize(
    ("arn", "where"),
    [
        (
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-AbCdEf",
            "123456789012/us-east-1",
        ),
        (
            "arn:aws:secretsmanager:ap-northeast-1:999999999999:secret:ecr-pullthroughcache/docker-AbCdEf",
            "999999999999/ap-northeast-1",
        ),
    ],
)
def test_rejects_cache_secret_in_another_account_or_region(config_dir, arn, where):
    edit(config_dir, "prod", _docker_hub(arn))
    message = error_for(config_dir, "[ECR-PTC-SECRET-PLACE]")
    assert (
        "pull_through_cache[1].credential_secret_arn: must be a secret in account 123456789012 and "
        in message
    )
    assert "region ap-northeast-1, where the rule is created" in message and f"it is in {where}" in message


def test_null_in_the_emitted_lifecycle_policy_is_refused(project, monkeypatch):
    import core.rules as rules

    [dev] = project.select(["dev"])
    assert list(rules._lc_no_nulls(dev)) == []  # the reference emits no null
    real = rules.lifecycle_policy
    monkeypatch.setattr(rules, "lifecycle_policy", lambda lc: {**real(lc), "rules": [{"rulePriority": None}]})
    [finding] = [f for f in rules._lc_no_nulls(dev) if f.loc == ("ecr", "defaults", "lifecycle")]
    assert "would emit null at rules[0].rulePriority; ECR rejects null values in a policy" in finding.message


def test_rule_without_action_is_reported_once(config_dir):
    edit(config_dir, "dev", lambda d: lifecycle(d)[0].pop("keep_last"))
    found = errors(config_dir)
    assert [e for e in found if "[ECR-LC-ACTION]" in e]
    assert not [e for e in found if "[ECR-LC-NULL]" in e], found
