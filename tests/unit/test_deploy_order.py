"""Deploy order: a stack deploys after the stacks of its environment it replicates into."""

from __future__ import annotations

from core.topology import deploy_order, stack_dependencies
from tests.unit.helpers import edit, loads


def envs(config_dir):
    return {e.name: e for e in loads(config_dir).environments}


def test_reference_order(config_dir):
    found = envs(config_dir)
    assert deploy_order(found["prod"]) == ["prod-us-west-2", "prod-ap-northeast-1"]
    assert stack_dependencies(found["prod"]) == {
        "prod-ap-northeast-1": ("prod-us-west-2",),
        "prod-us-west-2": (),
    }
    assert deploy_order(found["dev"]) == ["dev-ap-northeast-1"]


def test_extra_region_without_replication_keeps_config_order(config_dir):
    edit(config_dir, "stg", lambda d: d.update(extra_regions=["us-east-1"]))
    stg = envs(config_dir)["stg"]
    assert stack_dependencies(stg) == {"stg-ap-northeast-1": (), "stg-us-east-1": ()}
    assert deploy_order(stg) == ["stg-ap-northeast-1", "stg-us-east-1"]


def test_replicating_into_an_extra_region_orders_it_first(config_dir):
    def change(d):
        d["extra_regions"] = ["us-east-1", "eu-west-1"]
        d["ecr"]["registry"]["replication"] = [{"destinations": [{"region": "eu-west-1"}]}]

    edit(config_dir, "stg", change)
    assert deploy_order(envs(config_dir)["stg"]) == [
        "stg-eu-west-1",
        "stg-ap-northeast-1",
        "stg-us-east-1",
    ]
