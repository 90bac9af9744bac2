"""Template syntax in user text is escaped where it is emitted, and `terraform plan` shows it literally.

Tag values cannot hold `$` or `{` (AWS-TAG), so the tag case is built past validation to prove the
emitting side escapes too (defence in depth for tags merged in by other modules).
"""

from __future__ import annotations

import json
import shutil

import pytest

from core.tfrun import check_stack, find_provider_mirror
from tests.conftest import CONFIG, one
from tests.unit.helpers import loads

TEMPLATES = "${aws_region} %{ if true }x%{ endif }"
ESCAPED = "$${aws_region} %%{ if true }x%%{ endif }"
STACK = "stg-ap-northeast-1"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from core.synth import synthesize

    config_dir = tmp_path_factory.mktemp("hostile")
    shutil.copytree(CONFIG, config_dir / "config")
    project = loads(config_dir / "config")
    envs = []
    for env in project.environments:
        if env.name == "stg":
            assert env.codeartifact is not None
            repos = list(env.codeartifact.repositories)
            repos[-1] = repos[-1].model_copy(update={"description": TEMPLATES})
            env = env.model_copy(
                update={
                    "default_tags": {**env.default_tags, "Note": TEMPLATES},
                    "codeartifact": env.codeartifact.model_copy(update={"repositories": tuple(repos)}),
                }
            )
        envs.append(env)
    selected = [e for e in envs if e.name == "stg"]
    out = config_dir / "out"
    synthesize(selected, envs, out)
    body = json.loads((out / "stacks" / STACK / "cdk.tf.json").read_text())
    return body, check_stack(STACK, body, config_dir / "tf", find_provider_mirror())


def test_description_and_default_tag_are_escaped_in_the_json(hostile):
    body, _ = hostile
    assert body["provider"]["aws"][0]["default_tags"][0]["tags"]["Note"] == ESCAPED
    assert one(body, "aws_codeartifact_repository", description=ESCAPED)


def test_plan_shows_the_literal_values(hostile):
    _, check = hostile
    assert check.ok, check.report()
    assert check.plan_json is not None
    changes = check.plan_json["resource_changes"]
    descriptions = [
        c["change"]["after"].get("description") for c in changes if c["type"] == "aws_codeartifact_repository"
    ]
    assert descriptions.count(TEMPLATES) == 1 and ESCAPED not in descriptions
    tagged = [c["change"]["after"]["tags_all"] for c in changes if "tags_all" in (c["change"]["after"] or {})]
    assert tagged and all(t["Note"] == TEMPLATES for t in tagged)
