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


def entries(settings: ImageBuilder) -> Lock:
    """This environment's lock section as the configuration would record it now."""
    return {
        "components": {
            c.name: {"version": c.version, "sha256": component_hash(c)} for c in settings.components
        },
        "recipes": {
            settings.recipe.name: {"version": settings.recipe.version, "sha256": recipe_hash(settings)}
        },
    }


def project_lock(envs: Sequence[Environment]) -> Lock:
    return {e.name: entries(e.image_builder) for e in envs if e.image_builder is not None}


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
