"""EC2 Image Builder: component document checks and IAM documents (pure, no cdktf)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from policies.iam import Document, document, statement

# https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-use-documents.html: a document has
# at least one of these phases (any of them alone is valid: a test-only component is common);
# Image Builder runs no other phase of an AMI recipe's components (container-host-test is for
# container recipes), so another name is a typo.
PHASES = ("build", "validate", "test")
SCHEMA_VERSION = "1.0"
# Actions whose inputs are all optional, so a step may omit `inputs` (Reboot: delaySeconds;
# UpdateOS: include, exclude); every other action module has a required input.
# https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-action-modules.html
INPUTS_OPTIONAL = frozenset({"Reboot", "UpdateOS"})

# AWS-managed policies the build instance's role needs (Image Builder and Systems Manager).
# https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-builder-setting-up.html
INSTANCE_MANAGED_POLICIES = (
    "arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilder",
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
)
# https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-prerequisites.html
LIFECYCLE_MANAGED_POLICY = "arn:aws:iam::aws:policy/service-role/EC2ImageBuilderLifecycleExecutionPolicy"


def document_problems(text: str) -> Iterator[str]:
    """What Image Builder (AWSTOE) would reject in a component document, one message each."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        yield f"is not valid YAML{where}"
        return
    if not isinstance(doc, dict):
        yield "must be a YAML mapping with schemaVersion and phases"
        return
    if str(doc.get("schemaVersion")) != SCHEMA_VERSION:
        yield f"must set schemaVersion: {SCHEMA_VERSION} (got {doc.get('schemaVersion')!r})"
    phases = doc.get("phases")
    if not isinstance(phases, list) or not phases:
        yield "must have a non-empty 'phases' list"
        return
    names: list[Any] = []
    for i, phase in enumerate(phases):
        name = phase.get("name") if isinstance(phase, dict) else None
        names.append(name)
        if name not in PHASES:
            yield f"phases[{i}].name must be one of {', '.join(PHASES)} (got {name!r})"
        steps = phase.get("steps") if isinstance(phase, dict) else None
        if not isinstance(steps, list) or not steps:
            yield f"phases[{i}] ({name}) must have a non-empty 'steps' list"
            continue
        seen: set[str] = set()
        for j, step in enumerate(steps):
            missing = [k for k in ("name", "action") if not isinstance(step, dict) or k not in step]
            if missing:
                yield f"phases[{i}].steps[{j}] must have {', '.join(missing)}"
                continue
            if "inputs" not in step and step["action"] not in INPUTS_OPTIONAL:
                yield (
                    f"phases[{i}].steps[{j}] must have inputs (action {step['action']!r} has required "
                    f"inputs; only {', '.join(sorted(INPUTS_OPTIONAL))} may omit them)"
                )
            if step["name"] in seen:
                yield f"phases[{i}].steps[{j}].name {step['name']!r} is used twice in the phase"
            seen.add(step["name"])
    for name in set(names):
        if names.count(name) > 1:
            yield f"must define phase {name!r} once"


def logs_policy(bucket_arn: str, prefix: str, key_arn: str) -> Document:
    """The build instance writes its logs under `prefix` (SSE-KMS with the Image Builder key)."""
    return document(
        statement("WriteBuildLogs", ("s3:PutObject",), f"{bucket_arn}/{prefix}*"),
        statement("EncryptBuildLogs", ("kms:GenerateDataKey", "kms:Decrypt"), key_arn),
    )
