"""Write a synthetic configuration of N environments x M repositories (for the scale benchmark)."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

REGIONS = ["ap-northeast-1", "us-west-2", "eu-west-1", "us-east-1", "eu-central-1"]


def environment(index: int, repositories: int) -> dict:
    account = f"{100000000000 + index:012d}"
    lifecycle = [
        {"tag_status": "tagged", "tag_prefixes": ["prod-"], "keep_last": 10},
        {"tag_status": "tagged", "tag_prefixes": ["release-"], "keep_last": 10},
        {"tag_status": "untagged", "expire_after_days": 1},
        {"tag_status": "tagged", "tag_prefixes": ["dev-"], "expire_after_days": 14},
        {"tag_status": "tagged", "tag_prefixes": ["feature-"], "expire_after_days": 14},
    ]
    primary = REGIONS[index % len(REGIONS)]
    second = REGIONS[(index + 1) % len(REGIONS)]
    return {
        "org": "scale",
        "account_id": account,
        "deploy_role_arn": f"arn:aws:iam::{account}:role/deployer",
        "primary_region": primary,
        "extra_regions": [second],
        "default_tags": {"Environment": f"e{index}", "ManagedBy": "cdktf"},
        "ecr": {
            "defaults": {"lifecycle": lifecycle, "pull_access": {"account_ids": ["333333333333"]}},
            "repositories": [{"name": f"prod-service-{r:03d}"} for r in range(repositories)],
            "registry": {
                "scanning": {"type": "ENHANCED", "frequency": "CONTINUOUS_SCAN"},
                "replication": [{"prefix_filters": ["prod-"], "destinations": [{"region": second}]}],
                "pull_through_cache": [{"prefix": "ecr-public", "upstream": "public.ecr.aws"}],
            },
        },
    }


def write(target: Path, environments: int, repositories: int) -> Path:
    env_dir = target / "environments"
    env_dir.mkdir(parents=True, exist_ok=True)
    for i in range(environments):
        (env_dir / f"e{i:02d}.yaml").write_text(yaml.safe_dump(environment(i, repositories), sort_keys=False))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", type=Path)
    parser.add_argument("--environments", type=int, default=30)
    parser.add_argument("--repositories", type=int, default=100)
    args = parser.parse_args()
    write(args.target, args.environments, args.repositories)


if __name__ == "__main__":
    main()
