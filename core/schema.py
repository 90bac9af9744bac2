"""The JSON Schema of an environment file, for editors (yaml-language-server) and reviewers."""

from __future__ import annotations

from typing import Any

from core.models import Environment


def config_schema() -> dict[str, Any]:
    schema = Environment.model_json_schema()
    # `name` comes from the file name and must not be written in the file.
    schema["properties"].pop("name", None)
    schema["required"] = [r for r in schema.get("required", []) if r != "name"]
    schema["title"] = "Artifact platform environment"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
