"""Versions that follow content: the Image Builder lock file `config/image-builder.lock.json`.

Components and recipes are immutable in AWS: new content under an existing version fails at apply
(and a recipe a pipeline uses cannot simply be replaced). The lock records, per environment, each
component's and recipe's version next to the SHA-256 of what defines it, and the synth only accepts
what it records: IB-VERSION-LOCK fails when content changed but the version did not ("bump version
1.0.0 to 1.0.1"), IB-LOCK-CURRENT while a bumped (or new) version is not recorded yet. `python
main.py image-lock` records them; it runs every rule but IB-LOCK-CURRENT, so it never records new
content under a version it already holds. Hence one version, one content: an apply can never meet
an existing version with other content.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.models import LOCK_FILE, Environment, ImageBuilder, ImageComponent

Lock = dict[str, Any]
CURRENT_RULE = "IB-LOCK-CURRENT"  # the rule `image-lock` makes pass, so it does not run it
# A lifecycle policy selects at most 50 recipes (name + version each).
# https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_LifecyclePolicyResourceSelection.html
LIFECYCLE_RECIPES_MAX = 50


def _sha256(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def component_hash(component: ImageComponent) -> str:
    """What a component version is made of: its document and description (both replace it)."""
    return _sha256({"document": component.content, "description": component.description})


def recipe_hash(settings: ImageBuilder) -> str:
    """Everything that forces a new recipe, including the versions of its custom components."""
    custom = {c.name: c.version for c in settings.components}
    recipe = settings.recipe
    return _sha256(
        {
            "parent_image": recipe.parent_image,
            "components": [[name, custom.get(name, "x.x.x")] for name in recipe.components],
            "root_volume": recipe.root_volume.model_dump(),
            "description": recipe.description,
            "working_directory": recipe.working_directory,
        }
    )


def entries(settings: ImageBuilder, locked: Lock | None = None) -> Lock:
    """This environment's lock section as the configuration would record it now, over `locked`
    (the section the lock holds): a recipe keeps the versions it had before, `previous_versions`,
    which the lifecycle policy still selects (their AMIs outlive the recipe version)."""
    recipe = settings.recipe
    entry: dict[str, Any] = {"version": recipe.version, "sha256": recipe_hash(settings)}
    earlier = _recorded_versions((locked or {}).get("recipes", {}).get(recipe.name)) - {recipe.version}
    if earlier:
        entry["previous_versions"] = sorted(earlier, key=version_key)
    return {
        "components": {
            c.name: {"version": c.version, "sha256": component_hash(c)} for c in settings.components
        },
        "recipes": {recipe.name: entry},
    }


def _recorded_versions(entry: dict[str, Any] | None) -> set[str]:
    if not entry:
        return set()
    return {entry["version"], *entry.get("previous_versions", ())}


def env_entries(env: Environment) -> Lock:
    """`entries` of an environment with image_builder, over what its lock file holds."""
    assert env.image_builder is not None
    return entries(env.image_builder, (env.image_builder.lock or {}).get(env.name))


def recipe_versions(env: Environment) -> list[str]:
    """Every version of the environment's recipe (newest first) that built AMIs: the current one
    and those the lock recorded before it."""
    assert env.image_builder is not None
    entry = env_entries(env)["recipes"][env.image_builder.recipe.name]
    return sorted({entry["version"], *entry.get("previous_versions", ())}, key=version_key, reverse=True)


def project_lock(envs: Sequence[Environment]) -> Lock:
    return {e.name: env_entries(e) for e in envs if e.image_builder is not None}


def render(lock: Lock) -> str:
    return json.dumps(lock, indent=2, sort_keys=True) + "\n"


def write(config_dir: Path, envs: Sequence[Environment]) -> Path:
    path = config_dir / LOCK_FILE
    path.write_text(render(project_lock(envs)))
    return path


def next_patch(version: str) -> str:
    major, minor, patch = version.split(".")
    return f"{major}.{minor}.{int(patch) + 1}"


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))
