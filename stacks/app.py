"""Build the cdktf App: one RegionStack per environment and region."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from core.framework import App
from core.models import Environment
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
    return app, stacks
