"""Production's stateful resources are prevent_destroy; stacks declare their deploy order."""

from __future__ import annotations

import json

from core.planreview import STATEFUL_TYPES


def protected(stack: dict) -> dict[str, bool]:
    """`<type>.<name>` -> whether it carries lifecycle.prevent_destroy, for stateful resources."""
    return {
        f"{rtype}.{name}": body.get("lifecycle", {}).get("prevent_destroy") is True
        for rtype, bodies in stack["resource"].items()
        if rtype in STATEFUL_TYPES
        for name, body in bodies.items()
    }


def test_prod_stateful_resources_are_prevent_destroy(stacks):
    for name in ("prod-ap-northeast-1", "prod-us-west-2"):
        marks = protected(stacks[name])
        assert marks and all(marks.values()), marks
    types = {a.split(".")[0] for a in protected(stacks["prod-ap-northeast-1"])}
    assert types == {
        "aws_ecr_repository",
        "aws_s3_bucket",
        "aws_kms_key",
        "aws_codeartifact_domain",
        "aws_codeartifact_repository",
        "aws_imagebuilder_image_pipeline",
        "aws_signer_signing_profile",
        "aws_dynamodb_table",
    }


def test_prevent_destroy_only_on_stateful_types_and_only_where_configured(stacks):
    for name, stack in stacks.items():
        for rtype, bodies in stack["resource"].items():
            for body in bodies.values():
                marked = body.get("lifecycle", {}).get("prevent_destroy") is True
                assert marked == (name.startswith("prod-") and rtype in STATEFUL_TYPES), (name, rtype)


def test_primary_deploys_after_the_region_it_replicates_into(synth_out):
    manifest = json.loads((synth_out / "manifest.json").read_text())
    deps = {name: body.get("dependencies", []) for name, body in manifest["stacks"].items()}
    assert deps == {
        "dev-ap-northeast-1": [],
        "prod-ap-northeast-1": ["prod-us-west-2"],
        "prod-us-west-2": [],
        "stg-ap-northeast-1": [],
    }
