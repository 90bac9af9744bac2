"""Helpers to write broken configurations and read the errors they produce."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.errors import ConfigError
from core.loader import Project, load_project


def edit(config_dir: Path, env: str, change) -> Path:
    """Load an environment file as data, let `change` mutate it, write it back."""
    path = config_dir / "environments" / f"{env}.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def errors(config_dir: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_project(config_dir)
    unnamed = [p.render() for p in info.value.problems if not p.rule]
    assert not unnamed, "every problem names its rule ID:\n" + "\n".join(unnamed)
    return [p.render() for p in info.value.problems]


def error_for(config_dir: Path, rule_or_text: str) -> str:
    found = errors(config_dir)
    hits = [e for e in found if rule_or_text in e]
    assert hits, f"no error mentions {rule_or_text!r}; got:\n" + "\n".join(found)
    return hits[0]


def loads(config_dir: Path) -> Project:
    return load_project(config_dir)
