"""Relations between environments: who owns which registry, where images replicate to."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from core.models import Environment


@dataclass(frozen=True)
class Replication:
    """One source environment replicating into one destination registry."""

    source: str  # environment name
    source_account: str
    source_rule: int
    destination_index: int
    account: str
    region: str
    prefixes: tuple[str, ...]
    owner: tuple[str, str] | None  # (environment, region) of the stack that owns the destination


def registry_owner(envs: Sequence[Environment], account: str, region: str) -> Environment | None:
    for env in envs:
        if env.account_id == account and region in env.regions and env.ecr.registry is not None:
            return env
    return None


def replications(envs: Sequence[Environment]) -> Iterator[Replication]:
    for env in envs:
        if env.ecr.registry is None:
            continue
        for i, rule in enumerate(env.ecr.registry.replication):
            for j, dest in enumerate(rule.destinations):
                account = dest.account_id or env.account_id
                owner = registry_owner(envs, account, dest.region)
                yield Replication(
                    env.name,
                    env.account_id,
                    i,
                    j,
                    account,
                    dest.region,
                    rule.prefix_filters,
                    (owner.name, dest.region) if owner else None,
                )


def inbound(envs: Sequence[Environment], env: Environment, region: str) -> list[Replication]:
    """Replications that land in the registry owned by `env`'s stack for `region`."""
    return [r for r in replications(envs) if r.owner == (env.name, region)]
