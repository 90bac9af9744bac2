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


# --- deploy order --------------------------------------------------------------------------------


def stack_dependencies(env: Environment) -> dict[str, tuple[str, ...]]:
    """Stack -> the stacks of the same environment it must deploy after.

    A stack that replicates images into another region of its own account deploys after the stack
    that owns that region's registry (its repository creation templates and registry policy must
    exist before ECR replicates into it). Environments deploy one after another (dev, stg, prod),
    so only relations inside one environment become stack dependencies.
    """
    from core.naming import stack_name

    deps: dict[str, list[str]] = {stack_name(env, r): [] for r in env.regions}
    source = stack_name(env, env.primary_region)
    for rep in replications([env]):
        if rep.owner is not None and rep.owner[1] != env.primary_region:
            target = stack_name(env, rep.owner[1])
            if target not in deps[source]:
                deps[source].append(target)
    return {name: tuple(d) for name, d in deps.items()}


def deploy_order(env: Environment) -> list[str]:
    """The environment's stacks, each after the stacks it depends on (config order otherwise)."""
    deps = stack_dependencies(env)
    done: list[str] = []

    def visit(name: str) -> None:
        if name not in done:
            for dep in deps[name]:
                visit(dep)
            done.append(name)

    for name in deps:
        visit(name)
    return done
