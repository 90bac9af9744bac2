"""Build the cdktf App: one RegionStack per environment and region."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from core.framework import App
from core.models import Environment
from core.topology import stack_dependencies
from stacks.region_stack import RegionStack

# Feature flags `cdktf init` writes into cdktf.json; set here too so that `python main.py synth`
# and `cdktf synth` produce the same addresses.
CONTEXT = {"excludeStackIdFromLogicalIds": "true", "allowSepCharsInLogicalIds": "true"}


def build_app(
    selected: Sequence[Environment], all_envs: Sequence[Environment], outdir: Path
) -> tuple[App, list[RegionStack]]:
    app = App(outdir=str(outdir), context=dict(CONTEXT))
    stacks = [
        RegionStack(app, env=env, region=region, all_envs=all_envs)
        for env in selected
        for region in env.regions
    ]
    # `cdktf deploy` orders stacks by these (see core/topology.py and the README's deploy order).
    by_name = {s.stack_name: s for s in stacks}
    for env in selected:
        for name, deps in stack_dependencies(env).items():
            for dep in deps:
                by_name[name].add_dependency(by_name[dep])
    return app, stacks
