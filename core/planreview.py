"""Plan review: turn `terraform show -json` plans into one Markdown report, and guard deletions.

Pure: takes plan JSON dicts (and the text of plans that failed), returns the report and the
verdict. No Terraform, no cdktf. The CLI (`python main.py plan-review`) runs the plans.

Plan JSON format (`resource_changes[].change`: `actions`, `before`, `after`, `after_unknown`,
`before_sensitive`, `after_sensitive`, `replace_paths`):
https://developer.hashicorp.com/terraform/internals/json-format
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Resources whose deletion loses data or identity (images, objects, keys, packages, signatures,
# pipelines, the scan gate's record of blocked images). Production marks them `prevent_destroy` (stacks/region_stack.py); plan review
# refuses a plan that deletes or replaces one unless the address is explicitly allowed.
STATEFUL_TYPES: frozenset[str] = frozenset(
    {
        "aws_codeartifact_domain",
        "aws_codeartifact_repository",
        "aws_dynamodb_table",
        "aws_ecr_repository",
        "aws_imagebuilder_image_pipeline",
        "aws_kms_key",
        "aws_s3_bucket",
        "aws_signer_signing_profile",
    }
)

KINDS = ("create", "update", "replace", "delete")
MAX_VALUE = 80  # characters of a rendered value before it is shortened
SENSITIVE = "(sensitive)"
UNKNOWN = "(known after apply)"


def kind(actions: Iterable[str]) -> str | None:
    """`create` / `update` / `replace` / `delete`, or None for no-op, read and forget."""
    acts = set(actions)
    if {"create", "delete"} <= acts:
        return "replace"
    for k in ("delete", "create", "update"):
        if k in acts:
            return k
    return None


def parse_allow(value: str) -> tuple[str, str]:
    """`<stack>:<address>` -> (stack, address); ValueError with the expected shape otherwise."""
    stack, sep, address = value.partition(":")
    if not sep or not stack or "." not in address:
        raise ValueError(
            f"expected <stack>:<terraform address>, e.g. dev-ap-northeast-1:aws_s3_bucket.x, got {value!r}"
        )
    return stack, address


@dataclass(frozen=True)
class Change:
    stack: str
    address: str
    type: str
    kind: str
    attributes: tuple[tuple[str, str, str, bool], ...]  # name, before, after, forces replacement

    @property
    def destructive(self) -> bool:
        return self.kind in ("delete", "replace") and self.type in STATEFUL_TYPES

    @property
    def allow_key(self) -> str:
        return f"{self.stack}:{self.address}"


@dataclass(frozen=True)
class StackPlan:
    stack: str
    changes: tuple[Change, ...] = ()
    error: str | None = None  # the failing command's output when the plan did not complete

    def count(self, k: str) -> int:
        return sum(1 for c in self.changes if c.kind == k)


@dataclass(frozen=True)
class Review:
    stacks: tuple[StackPlan, ...]
    allowed: frozenset[str] = field(default_factory=frozenset)
    diagrams: tuple[tuple[str, str], ...] = ()  # (environment, Mermaid text), shown at the end

    @property
    def destructive(self) -> list[Change]:
        return [c for s in self.stacks for c in s.changes if c.destructive]

    @property
    def blocked(self) -> list[Change]:
        """Destructive changes nobody allowed: these fail the review."""
        return [c for c in self.destructive if c.allow_key not in self.allowed]

    @property
    def failed(self) -> list[StackPlan]:
        return [s for s in self.stacks if s.error is not None]

    @property
    def unused_allows(self) -> list[str]:
        used = {c.allow_key for c in self.destructive}
        return sorted(self.allowed - used)

    @property
    def ok(self) -> bool:
        return not self.blocked and not self.failed

    def markdown(self) -> str:
        return render(self)


# --- values ------------------------------------------------------------------------------------


def _marked(mask: Any) -> bool:
    """A `*_sensitive` / `after_unknown` mask marks a value when it holds `true` anywhere."""
    if isinstance(mask, bool):
        return mask
    if isinstance(mask, dict):
        return any(_marked(v) for v in mask.values())
    if isinstance(mask, list):
        return any(_marked(v) for v in mask)
    return False


def shorten(text: str, limit: int = MAX_VALUE) -> str:
    if len(text) <= limit:
        return text
    suffix = f"… ({len(text)} chars)"
    return text[: limit - len(suffix)] + suffix


def show(value: Any, *, sensitive: bool = False, unknown: bool = False) -> str:
    if sensitive:
        return SENSITIVE
    if unknown:
        return UNKNOWN
    if value is None:
        return "null"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))
    return shorten(json.dumps(text) if isinstance(value, str) else text)


def _replacing(replace_paths: Any) -> set[str]:
    return {str(p[0]) for p in replace_paths or () if isinstance(p, list) and p}


def attribute_changes(change: Mapping[str, Any]) -> tuple[tuple[str, str, str, bool], ...]:
    """(attribute, before, after, forces replacement) for each top-level attribute that changes."""
    before = change.get("before") or {}
    after = change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    before_sensitive = change.get("before_sensitive") or {}
    after_sensitive = change.get("after_sensitive") or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return ()
    forces = _replacing(change.get("replace_paths"))
    deleting = change.get("after") is None
    out = []
    for name in sorted(set(before) | set(after) | set(unknown)):
        if deleting:
            break  # a deletion: the whole object goes, listing its attributes says nothing
        is_unknown = _marked(unknown.get(name)) if isinstance(unknown, dict) else False
        old, new = before.get(name), after.get(name)
        if not is_unknown and old == new:
            continue
        if not before and (is_unknown or new in (None, [], {})):
            continue  # a create: computed or unset attributes say nothing
        out.append(
            (
                name,
                show(old, sensitive=_marked(before_sensitive.get(name))) if before else "-",
                show(new, sensitive=_marked(after_sensitive.get(name)), unknown=is_unknown),
                name in forces,
            )
        )
    return tuple(out)


def stack_plan(stack: str, plan: Mapping[str, Any]) -> StackPlan:
    """The changes of one `terraform show -json` plan (managed resources; no-ops left out)."""
    changes = []
    for rc in plan.get("resource_changes") or ():
        if rc.get("mode", "managed") != "managed":
            continue
        change = rc.get("change") or {}
        k = kind(change.get("actions") or ())
        if k is None:
            continue
        address = rc["address"] + (f" (deposed {rc['deposed']})" if rc.get("deposed") else "")
        changes.append(Change(stack, address, rc.get("type", ""), k, attribute_changes(change)))
    return StackPlan(stack, tuple(changes))


def review(
    plans: Mapping[str, Mapping[str, Any]],
    errors: Mapping[str, str] | None = None,
    allowed: Iterable[str] = (),
    diagrams: Mapping[str, str] | None = None,
) -> Review:
    """Plans (stack -> plan JSON) and failed plans (stack -> output) -> the review, stacks sorted;
    `diagrams`: environment -> its Mermaid topology diagram, embedded at the end of the report."""
    errors = errors or {}
    stacks = [stack_plan(name, plan) for name, plan in plans.items()]
    stacks += [StackPlan(name, error=text) for name, text in errors.items()]
    return Review(
        tuple(sorted(stacks, key=lambda s: s.stack)),
        frozenset(allowed),
        tuple(sorted((diagrams or {}).items())),
    )


def diagnostics(output: str) -> list[str]:
    """Terraform's `Error:` diagnostics in `output`, one line each: the title and its first explanation
    (the cause; later paragraphs are hints such as "run terraform providers")."""
    found = []
    for block in re.split(r"(?m)^Error: ", output)[1:]:
        title, _, body = block.partition("\n")
        paragraphs = [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]
        detail = [p for p in paragraphs if not p.startswith("on ") and not p[:1].isdigit()]
        found.append(shorten(f"Error: {title.strip()}" + (f" — {detail[0]}" if detail else ""), 400))
    return found


# --- Markdown ----------------------------------------------------------------------------------

_ICON = {"create": "+", "update": "~", "replace": "-/+", "delete": "-"}


def _code(text: str) -> str:
    return "`" + text.replace("`", "'").replace("\n", " ") + "`"


def _loud(r: Review) -> list[str]:
    lines: list[str] = []
    if r.failed:
        lines += ["## ⛔ PLANS THAT FAILED", ""]
        for s in r.failed:
            found = diagnostics(s.error or "")
            lines.append(f"- **{s.stack}**: terraform could not plan it (full output below).")
            lines += [f"  - {d}" for d in found]
        lines.append("")
    if r.destructive:
        blocked = r.blocked
        title = "⛔ DESTRUCTIVE CHANGES TO STATEFUL RESOURCES" if blocked else "⚠️ ALLOWED DESTRUCTIVE CHANGES"
        lines += [f"## {title}", ""]
        if blocked:
            lines += [
                "These delete or replace resources that hold data. The review fails until each address "
                "is allowed explicitly: `--allow-destroy <stack>:<address>`.",
                "",
            ]
        lines += ["| stack | address | action | allowed |", "| --- | --- | --- | --- |"]
        for c in r.destructive:
            verdict = "yes" if c.allow_key in r.allowed else "**NO**"
            lines.append(f"| {c.stack} | `{c.address}` | **{c.kind.upper()}** | {verdict} |")
        lines.append("")
    return lines


def render(r: Review) -> str:
    verdict = "PASS" if r.ok else "FAIL"
    lines = [f"# Plan review: {verdict}", ""]
    lines += _loud(r)
    lines += [
        "## Summary",
        "",
        "| stack | create | update | replace | delete |",
        "| --- | --- | --- | --- | --- |",
    ]
    for s in r.stacks:
        if s.error is not None:
            lines.append(f"| {s.stack} | plan failed | | | |")
        else:
            lines.append(f"| {s.stack} | " + " | ".join(str(s.count(k)) for k in KINDS) + " |")
    lines.append("")
    for s in r.stacks:
        lines += [f"## {s.stack}", ""]
        if s.error is not None:
            lines += ["```", s.error.strip(), "```", ""]
            continue
        if not s.changes:
            lines += ["No changes.", ""]
            continue
        counts = ", ".join(f"{s.count(k)} to {k}" for k in KINDS if s.count(k))
        lines += [f"<details><summary>{counts}</summary>", ""]
        for c in s.changes:
            loud = " — **DESTRUCTIVE**" if c.destructive else ""
            lines.append(f"- `{_ICON[c.kind]}` **{c.kind}** `{c.address}`{loud}")
            for name, old, new, forces in c.attributes:
                note = " (forces replacement)" if forces else ""
                shown = _code(new) if old == "-" else f"{_code(old)} -> {_code(new)}"
                lines.append(f"  - `{name}`: {shown}{note}")
        lines += ["", "</details>", ""]
    if r.diagrams:
        lines += ["## Topology", ""]
        for env, text in r.diagrams:
            lines += [f"### {env}", "", "```mermaid", text.rstrip("\n"), "```", ""]
    return "\n".join(lines).rstrip() + "\n"
