"""Load every environment file, validate it, and report all problems at once.

`load_project()` either returns frozen `Environment` models (plus warnings) or raises one
`ConfigError` listing every problem, each naming the file, line, field path, bad value and rule.
"""

from __future__ import annotations

import typing
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from core.errors import NO_VALUE, ConfigError, Loc, Problem, UsageError
from core.models import Environment
from core.rules import ENV_RULES, PROJECT_RULES, Finding
from core.yamlsafe import Document, read_yaml

ENV_DIR = "environments"
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Project:
    environments: tuple[Environment, ...]
    warnings: tuple[Problem, ...]
    files: dict[str, str]  # environment name -> file as displayed

    def select(self, names: Sequence[str] | None) -> tuple[Environment, ...]:
        if not names:
            return self.environments
        known = {e.name: e for e in self.environments}
        unknown = [n for n in names if n not in known]
        if unknown:
            which = ", ".join(repr(n) for n in unknown)
            raise UsageError(f"--env: unknown environment {which}; defined: {', '.join(known)}")
        return tuple(known[n] for n in names)

    def warnings_for(self, selected: Sequence[Environment]) -> tuple[Problem, ...]:
        """The warnings about the selected environments' files (`--env dev` is not told about prod)."""
        files = {self.files[e.name] for e in selected}
        return tuple(w for w in self.warnings if w.file in files)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --- where in the model a location points (for "allowed keys" hints) ---------------------------


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found


def _model_at(loc: Loc) -> type[BaseModel] | None:
    candidates: list[type[BaseModel]] = [Environment]
    for part in loc:
        if isinstance(part, int):
            continue
        by_tag = [m for m in candidates if part in _literal_tags(m)]
        if by_tag:
            candidates = by_tag
            continue
        nxt: list[type[BaseModel]] = []
        for model in candidates:
            field = model.model_fields.get(part)
            if field is not None:
                nxt.extend(_models_in(field.annotation))
        candidates = nxt
        if not candidates:
            return None
    return candidates[0] if len(candidates) == 1 else None


def _literal_tags(model: type[BaseModel]) -> tuple[Any, ...]:
    field = model.model_fields.get("type")
    if field is None or typing.get_origin(field.annotation) is not typing.Literal:
        return ()
    return typing.get_args(field.annotation)


def _strip_tags(loc: Loc) -> Loc:
    """Drop the discriminator tags pydantic inserts into locations (`backend.s3.bucket`)."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        parent = _model_at(tuple(loc[:i]))
        if parent is None and i and isinstance(part, str) and _model_at(tuple(loc[: i + 1])) is not None:
            owner = _model_at(tuple(loc[: i + 1]))
            if owner is not None and part in _literal_tags(owner):
                continue
        out.append(part)
    return tuple(out)


def _translate(err: Any) -> tuple[str, Any, str | None]:
    """pydantic error -> (message, value or _MISSING, rule: None for a plain schema error)."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input", NO_VALUE)
    if kind == "rule":
        return str(err["msg"]), value, ctx.get("rule")
    if kind == "extra_forbidden":
        model = _model_at(tuple(err["loc"][:-1]))
        keys = [k for k in model.model_fields if not (model is Environment and k == "name")] if model else []
        allowed = ", ".join(keys) if model else "see the schema"  # an environment's name is its file name
        return f"unknown key '{err['loc'][-1]}'; allowed keys here: {allowed}", NO_VALUE, "CFG-UNKNOWN-KEY"
    if kind == "missing":
        return "is required", NO_VALUE, None
    messages = {
        "literal_error": lambda: f"must be one of {ctx.get('expected')}",
        "union_tag_invalid": lambda: f"must be one of {ctx.get('expected_tags')}",
        "union_tag_not_found": lambda: f"needs a '{ctx.get('discriminator', 'type').strip(chr(39))}' key",
        "string_type": lambda: "must be a string",
        "int_type": lambda: "must be a whole number",
        "int_parsing": lambda: "must be a whole number",
        "int_from_float": lambda: "must be a whole number",
        "bool_type": lambda: "must be true or false",
        "bool_parsing": lambda: "must be true or false",
        "greater_than_equal": lambda: f"must be at least {ctx.get('ge')}",
        "less_than_equal": lambda: f"must be at most {ctx.get('le')}",
        "too_short": lambda: f"must have at least {ctx.get('min_length')} entries",
        "too_long": lambda: f"must have at most {ctx.get('max_length')} entries",
        "string_too_long": lambda: f"must be at most {ctx.get('max_length')} characters",
        "model_type": lambda: "must be a mapping of keys to values",
        "model_attributes_type": lambda: "must be a mapping of keys to values",
        "dict_type": lambda: "must be a mapping of keys to values",
        "tuple_type": lambda: "must be a list",
        "list_type": lambda: "must be a list",
    }
    quoted_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "literal_error" and quoted_number and repr(str(value)) in str(ctx.get("expected")):
        # `min_tls_version: 1.2`: YAML read a number where a quoted choice is meant
        return (
            f"must be one of {ctx.get('expected')} (in quotes: YAML reads {value} as a number)",
            value,
            None,
        )
    if kind in messages:
        if kind in ("too_short", "too_long"):
            value = len(value) if hasattr(value, "__len__") else value
        return messages[kind](), value, None
    msg = str(err["msg"])
    return msg[:1].lower() + msg[1:], value, None


def _validation_problems(display: str, doc: Document, exc: ValidationError) -> list[Problem]:
    problems = []
    errs = [(err, _strip_tags(tuple(err["loc"]))) for err in exc.errors()]
    for err, loc in errs:
        if err["type"] == "too_short" and any(
            len(other) > len(loc) and other[: len(loc)] == loc for _, other in errs
        ):
            continue  # a list whose entries failed counts as too short too: the entries are the news
        message, value, rule = _translate(err)
        if err["type"] == "union_tag_invalid":  # name the tag's own field and value
            ctx = err.get("ctx") or {}
            loc = (*loc, str(ctx.get("discriminator", "type")).strip("'"))
            value = ctx.get("tag", value)
        problems.append(Problem(display, loc, message, value, rule or "CFG-SCHEMA", doc.line_of(loc)))
    return problems


def _finding_problem(display: str, doc: Document | None, rule: str, finding: Finding) -> Problem:
    line = doc.line_of(finding.loc) if doc else None
    return Problem(display, finding.loc, finding.message, finding.value, rule, line)


def load_project(config_dir: Path, *, skip_rules: Collection[str] = ()) -> Project:
    """Read and validate every environment under `config_dir/environments/`; `skip_rules`: IDs of
    environment rules not to run (`image-lock` skips IB-LOCK-CURRENT: it is what makes it pass)."""
    env_dir = config_dir / ENV_DIR
    if not config_dir.is_dir():
        raise ConfigError(
            [
                Problem(
                    _display(config_dir),
                    (),
                    "is not a folder (--config-dir names the folder holding environments/<env>.yaml)",
                    rule="CFG-ENV-FILES",
                )
            ]
        )
    files = sorted(p for p in env_dir.glob("*") if p.suffix in SUFFIXES) if env_dir.is_dir() else []
    if not files:
        raise ConfigError(
            [
                Problem(
                    _display(env_dir),
                    (),
                    "holds no environment files (*.yaml); nothing to synthesize",
                    rule="CFG-ENV-FILES",
                )
            ]
        )
    problems: list[Problem] = []
    warnings: list[Problem] = []
    envs: list[Environment] = []
    docs: dict[str, tuple[str, Document]] = {}
    first_file: dict[str, str] = {}
    for path in files:
        display = _display(path)
        earlier = first_file.setdefault(path.stem, display)
        if earlier != display:
            problems.append(
                Problem(
                    display,
                    (),
                    f"defines environment '{path.stem}' again (also {earlier}); keep one file per "
                    "environment",
                    rule="CFG-ENV-DUP",
                )
            )
            continue
        doc, problem = read_yaml(path, display)
        if problem:
            problems.append(replace(problem, rule=problem.rule or "CFG-YAML"))
            continue
        assert doc is not None
        if not isinstance(doc.data, dict):
            problems.append(
                Problem(display, (), "must be a mapping of keys to values", doc.data, "CFG-SCHEMA", line=1)
            )
            continue
        if "name" in doc.data:
            problems.append(
                Problem(
                    display,
                    ("name",),
                    "is taken from the file name; remove it",
                    doc.data["name"],
                    "CFG-UNKNOWN-KEY",
                    doc.line_of(("name",)),
                )
            )
            continue
        try:
            env = Environment.model_validate(
                {**doc.data, "name": path.stem}, context={"config_dir": config_dir}
            )
        except ValidationError as exc:
            found = _validation_problems(display, doc, exc)
            for p in found:  # the name comes from the file, not from a key in it
                if p.loc == ("name",):
                    p = Problem(
                        display,
                        (),
                        "file name must be " + p.message.removeprefix("must be "),
                        path.stem,
                        p.rule,
                    )
                problems.append(p)
            continue
        docs[env.name] = (display, doc)
        for rule in ENV_RULES:
            assert rule.check is not None
            if rule.id in skip_rules:
                continue
            for finding in rule.check(env):
                target = warnings if finding.warning else problems
                target.append(_finding_problem(display, doc, rule.id, finding))
        envs.append(env)
    for rule in PROJECT_RULES:
        assert rule.check is not None
        for env_name, finding in rule.check(envs):
            display, doc = docs[env_name]
            target = warnings if finding.warning else problems
            target.append(_finding_problem(display, doc, rule.id, finding))
    if problems:
        raise ConfigError(problems)
    return Project(tuple(envs), tuple(warnings), {name: d for name, (d, _) in docs.items()})
