"""A strict, bounded YAML reader for configuration files.

PyYAML's safe loader silently keeps the last of two duplicate keys and expands aliases without
limit; both are rejected here with a message that names the file and line. Line numbers of every
node are kept so that validation errors can point at the line of the bad value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from core.errors import Loc, Problem

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 50_000  # values after expanding aliases; a reference environment has a few hundred


class _Rejected(Exception):
    def __init__(self, message: str, line: int | None, loc: Loc = ()):
        super().__init__(message)
        self.message = message
        self.line = line
        self.loc = loc


@dataclass(frozen=True)
class Document:
    data: Any
    lines: dict[Loc, int]

    def line_of(self, loc: Loc) -> int | None:
        """The line of the deepest node on `loc` that exists in the file."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None


# libyaml's parser when PyYAML has it (every wheel does): several times faster on large files.
# Duplicate keys and alias expansion are checked on the composed nodes (`_walk`), so both
# loaders behave the same.
_StrictLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_BOOLEANS = {"true", "false", "True", "False", "TRUE", "FALSE"}  # YAML 1.2's; PyYAML also reads yes/no/on/off


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> None:
    if len(lines) >= MAX_NODES:
        raise _Rejected(
            f"expands to more than {MAX_NODES} values (nested aliases?); configuration files "
            "are expected to be small",
            node.start_mark.line + 1,
            loc,
        )
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR_TAG:
                shown = (
                    f"{key_node.value!r}" if isinstance(key_node, yaml.ScalarNode) else "a list or mapping"
                )
                raise _Rejected(
                    f"keys must be plain text such as 'account_id', got {shown} (quote a key meant as text)",
                    key_node.start_mark.line + 1,
                )
            key = key_node.value
            if key in seen:
                raise _Rejected(
                    f"duplicate key '{key}' (first on line {seen[key]}); each key may appear once",
                    key_node.start_mark.line + 1,
                    (*loc, key),
                )
            seen[key] = key_node.start_mark.line + 1
            _walk(value_node, (*loc, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*loc, index), lines)
    elif node.tag == _BOOL_TAG and node.value not in _BOOLEANS:
        meant = str(yaml.safe_load(node.value)).lower()
        raise _Rejected(
            f"{node.value!r} is a YAML 1.1 boolean (read as {meant}): write {meant} for a switch, or quote "
            f"it ('{node.value}') for text",
            node.start_mark.line + 1,
            loc,
        )


def read_yaml(path: Path, display: str) -> tuple[Document | None, Problem | None]:
    """Parse `path`; return the document or the one problem that stops it being read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, Problem(display, (), f"cannot be read: {exc.strerror}")
    if len(raw) > MAX_FILE_BYTES:
        return None, Problem(
            display, (), f"is {len(raw)} bytes; configuration files may be at most {MAX_FILE_BYTES}"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, Problem(display, (), "is not valid UTF-8; save the file as UTF-8", line=line)
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, Problem(display, (), "is empty; an environment needs at least account_id")
        lines: dict[Loc, int] = {}
        _walk(node, (), lines)
        data = loader.construct_document(node)
    except _Rejected as exc:
        return None, Problem(display, exc.loc, exc.message, line=exc.line)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        return None, Problem(display, (), f"is not valid YAML: {what}", line=mark.line + 1 if mark else None)
    except yaml.YAMLError as exc:
        return None, Problem(display, (), f"is not valid YAML: {exc}")
    finally:
        loader.dispose()
    return Document(data, lines), None
