"""Shared fixtures: the reference configuration is loaded and synthesized once per test run."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config"
# the suite is about the reference configuration, whatever configuration the user points the CLI at
os.environ.pop("ARTIFACT_PLATFORM_CONFIG_DIR", None)


@pytest.fixture(scope="session")
def project():
    from core.loader import load_project

    return load_project(CONFIG)


@pytest.fixture(scope="session")
def synth_out(project, tmp_path_factory) -> Path:
    """The reference configuration, synthesized once (the provider bindings load once)."""
    from core.synth import synthesize

    out = tmp_path_factory.mktemp("synth") / "cdktf.out"
    synthesize(project.environments, project.environments, out)
    return out


@pytest.fixture(scope="session")
def stacks(synth_out) -> dict[str, dict[str, Any]]:
    """Stack name -> synthesized Terraform JSON."""
    return {
        d.name: json.loads((d / "cdk.tf.json").read_text()) for d in sorted((synth_out / "stacks").iterdir())
    }


def _substitute(value: Any, key: str, item: Any) -> Any:
    """Resolve `${each.key}`, `${each.value}` and `${each.value.<attr>}` for one for_each item."""
    if (
        isinstance(value, str)
        and value.startswith("${each.")
        and value.endswith("}")
        and value.count("${") == 1
    ):
        ref = value[2:-1]
        if ref == "each.key":
            return key
        if ref == "each.value":
            return item
        if ref.startswith("each.value."):
            return item[ref.removeprefix("each.value.")]
    if isinstance(value, list):
        return [_substitute(v, key, item) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, key, item) for k, v in value.items()}
    return value


def resources(stack: dict[str, Any], rtype: str) -> list[dict[str, Any]]:
    """All resources (for_each instances expanded) of a type, without cdktf metadata.

    Never address resources by their hashed logical IDs: select by type and property.
    """
    out = []
    for body in stack.get("resource", {}).get(rtype, {}).values():
        plain = {k: v for k, v in body.items() if k != "//"}
        each = plain.pop("for_each", None)
        if isinstance(each, dict):
            out.extend(_substitute(plain, key, item) for key, item in each.items())
        else:
            out.append(plain)
    return out


def one(stack: dict[str, Any], rtype: str, **match: Any) -> dict[str, Any]:
    found = [r for r in resources(stack, rtype) if all(r.get(k) == v for k, v in match.items())]
    assert len(found) == 1, f"expected one {rtype} matching {match}, found {len(found)}: {found}"
    return found[0]


@pytest.fixture
def config_dir(tmp_path) -> Path:
    """A writable copy of the reference configuration to break in tests."""
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    return target
