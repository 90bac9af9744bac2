"""Problems found in user input, and the one error that reports all of them.

Every message has the same shape, so a user (or a CI log grep) can rely on it:

    config/environments/prod.yaml:12: ecr.repositories[1].name: must be ..., got 'My_App' [ECR-REPO-NAME]

file, line (when known), field path, what is wrong and what is allowed, the bad value, the rule ID.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

Loc = tuple[str | int, ...]

NO_VALUE: Any = object()  # a problem about a missing or unknown key has no value to show


def format_path(loc: Sequence[str | int]) -> str:
    """`("ecr", "repositories", 1, "name")` -> `ecr.repositories[1].name`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`counted(1, "stack")` -> "1 stack", `counted(2, "stack")` -> "2 stacks"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def show_value(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in the input."""

    file: str
    loc: Loc
    message: str
    value: Any = field(default=NO_VALUE, compare=False)
    rule: str | None = None
    line: int | None = None

    def render(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f"{format_path(self.loc)}: " if self.loc else ""  # a file-level problem has no field
        text = f"{where}: {field}{self.message}"
        if self.value is not NO_VALUE:
            text += f", got {show_value(self.value)}"
        if self.rule:
            text += f" [{self.rule}]"
        return text


class ConfigError(Exception):
    """Raised once, with every problem found, when the input cannot be synthesized."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(
            set(problems), key=lambda p: (p.file, p.line or 0, format_path(p.loc), p.message)
        )
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.problems)
        head = f"{counted(count, 'problem')} in the configuration:"
        return "\n".join([head, *("  " + p.render() for p in self.problems)])


class UsageError(Exception):
    """Bad command-line input: one line on stderr, exit 2."""
