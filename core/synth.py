"""Synthesize into a staging folder, then swap it into place: a failed run leaves the old output."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError, UsageError
from core.models import Environment
from core.postsynth import name_problems


@dataclass(frozen=True)
class StackSummary:
    name: str
    resources: int
    path: Path


SYNTH_ENTRIES = frozenset({"manifest.json", "stacks"})  # what a synth writes at the top of its folder


def check_output_folder(out: Path, flag: str = "--out") -> None:
    """A synth replaces its output folder whole: refuse any folder that holds more than an earlier
    synth's output, so a mistyped `--out` (`.`, `""`, `~`, a file) can never delete anything else."""
    out = out.resolve()
    cwd = Path.cwd().resolve()
    if out == cwd or out in cwd.parents:
        raise UsageError(f"{flag}: {out} is the current folder or one above it; name a folder of its own")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{flag}: {out} exists and is not a folder; name a new folder or an earlier output")
    blocker = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise UsageError(f"{flag}: {blocker} is a file, so {out} cannot be a folder")
    if out.is_dir():
        others = sorted(p.name for p in out.iterdir() if p.name not in SYNTH_ENTRIES)
        if others:
            shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
            raise UsageError(
                f"{flag}: {out} holds files a synth did not write ({shown}) and would be replaced "
                "whole; name a new or empty folder, or an earlier synth output"
            )


def count_resources(stack_json: dict) -> int:
    """Resource instances: a `for_each` resource counts once per key."""
    return sum(
        len(body["for_each"]) if isinstance(body.get("for_each"), dict) else 1
        for bodies in stack_json.get("resource", {}).values()
        for body in bodies.values()
    )


def synthesize(
    selected: Sequence[Environment],
    all_envs: Sequence[Environment],
    out: Path,
    files: Mapping[str, str] | None = None,
    flag: str = "--out",
) -> list[StackSummary]:
    """Write `out/stacks/<stack>/cdk.tf.json` for every stack of `selected`, atomically.

    Raises ConfigError (and writes nothing) when the synthesized JSON breaks a limit that only
    shows once names are composed (core/postsynth.py). `files`: environment -> its file, for
    messages."""
    out = out.resolve()
    check_output_folder(out, flag)
    try:  # an unwritable --out fails here, before the import, and is named as the user gave it
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    except OSError as exc:
        failed = Path(exc.filename) if exc.filename else out
        where = failed if failed in (out, *out.parents) else out  # never the staging folder's name
        raise OSError(exc.errno, exc.strerror, str(where)) from None
    try:
        from stacks.app import build_app  # the framework import happens here, after validation

        app, stacks = build_app(selected, all_envs, staging)
        app.synth()
        summaries = []
        problems = []
        for stack in stacks:
            path = staging / "stacks" / stack.stack_name / "cdk.tf.json"
            body = json.loads(path.read_text())
            file = (files or {}).get(stack.env.name, f"{stack.env.name}.yaml")
            problems += name_problems(stack.stack_name, body, file)
            summaries.append(
                StackSummary(
                    stack.stack_name,
                    count_resources(body),
                    out / "stacks" / stack.stack_name / "cdk.tf.json",
                )
            )
        if problems:
            raise ConfigError(problems)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summaries


def _swap(staging: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, old / "out")
    try:
        os.replace(staging, out)
    except BaseException:
        if old is not None:
            os.replace(old / "out", out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
