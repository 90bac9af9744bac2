"""Write a synthetic configuration of N environments x M ECR repositories (for the scale benchmark).

Each environment also has a CodeArtifact domain (3 stores + M/10 internal repositories) and a
replicated artifact bucket, so every module is exercised at scale.
"""

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
    stores = {"npm-store": "public:npmjs", "pypi-store": "public:pypi", "maven-store": "public:maven-central"}
    packages = [
        {
            "name": f"team-{t:02d}-packages",
            "upstreams": list(stores),
            "publish_role_arns": [f"arn:aws:iam::{account}:role/ci"],
        }
        for t in range(repositories // 10)
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
        "codeartifact": {
            "domain": f"domain-{index:02d}",
            "read_access": {"account_ids": [account]},
            "repositories": [{"name": n, "external_connections": [c]} for n, c in stores.items()] + packages,
        },
        "artifact_bucket": {
            "lifecycle": [
                {"id": "expire-noncurrent-versions", "noncurrent_expiration_days": 30},
                {"id": "abort-incomplete-uploads", "abort_incomplete_multipart_days": 7},
                {"id": "expire-snapshots", "prefix": "snapshots/", "expiration_days": 30},
            ],
            "replication": {"region": second, "prefix": "releases/"},
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
