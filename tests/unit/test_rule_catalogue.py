"""Every rule in the catalogue has a failing case with its ID, and the reference passes them all.

The field rules (core/types.py) are checked here, one broken value each; the other rules have
their failing and passing cases beside their module's tests (test_*_rules.py). The last test keeps
that true as rules are added: a rule ID no test names fails the suite.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.rules import CATALOGUE
from tests.unit.helpers import edit, error_for


def _set(*path, value):
    def change(d):
        for key in path[:-1]:
            d = d[key]
        d[path[-1]] = value

    return change


FIELD_CASES = [
    # rule, environment, change, field path in the message, bad value as shown
    ("CFG-QUOTE", "dev", _set("account_id", value=111111111111), "account_id", "111111111111"),
    ("IAM-ROLE-ARN", "dev", _set("deploy_role_arn", value="deploy"), "deploy_role_arn", "'deploy'"),
    (
        "AWS-ORG-ID",
        "dev",
        _set("ecr", "defaults", "pull_access", value={"organization_id": "org-1"}),
        "ecr.defaults.pull_access.organization_id",
        "'org-1'",
    ),
    (
        "SECRET-ARN",
        "prod",
        lambda d: d["ecr"]["registry"]["pull_through_cache"].append(
            {"prefix": "docker-hub", "upstream": "registry-1.docker.io", "credential_secret_arn": "hunter2"}
        ),
        "ecr.registry.pull_through_cache[1].credential_secret_arn",
        "'hunter2'",
    ),
    (
        "TF-VERSION-CONSTRAINT",
        "dev",
        _set("aws_provider_version", value="latest"),
        "aws_provider_version",
        "'latest'",
    ),
    (
        "CFG-RELATIVE-DIR",
        "dev",
        _set("backend", value={"type": "local", "directory": "../state"}),
        "backend.directory",
        "'../state'",
    ),
    (
        "TF-S3-BACKEND-BUCKET",
        "stg",
        _set("backend", "bucket", value="Acme_State"),
        "backend.bucket",
        "'Acme_State'",
    ),
    (
        "IB-NAME",
        "prod",
        _set("image_builder", "recipe", "name", value="my golden image!"),
        "image_builder.recipe.name",
        "'my golden image!'",
    ),
    (
        "EC2-SUBNET-ID",
        "prod",
        _set("image_builder", "subnet_id", value="subnet-XYZ"),
        "image_builder.subnet_id",
        "'subnet-XYZ'",
    ),
    (
        "EC2-SG-ID",
        "prod",
        _set("image_builder", "security_group_ids", value=["default"]),
        "image_builder.security_group_ids[0]",
        "'default'",
    ),
    (
        "AWS-ORG-ARN",
        "prod",
        lambda d: d["image_builder"]["distributions"][0]["launch_permission"].update(
            organization_arns=["o-abc"]
        ),
        "image_builder.distributions[0].launch_permission.organization_arns[0]",
        "'o-abc'",
    ),
    (
        "KMS-KEY-ARN",
        "prod",
        lambda d: d["image_builder"]["distributions"][0].update(kms_key_arn="alias/ami"),
        "image_builder.distributions[0].kms_key_arn",
        "'alias/ami'",
    ),
    (
        "CFG-RELATIVE-FILE",
        "prod",
        lambda d: d["image_builder"]["components"][0].update(document="/etc/passwd"),
        "image_builder.components[0].document",
        "'/etc/passwd'",
    ),
]


@pytest.mark.parametrize(
    ("rule", "env", "change", "path", "shown"), FIELD_CASES, ids=[c[0] for c in FIELD_CASES]
)
def test_field_rule_refuses_a_bad_value(config_dir, rule, env, change, path, shown):
    edit(config_dir, env, change)
    message = error_for(config_dir, f"[{rule}]")
    assert f"{env}.yaml" in message and f": {path}: " in message and f"got {shown}" in message


def test_reference_configuration_breaks_no_rule(project):
    assert len(project.environments) == 3
    assert {w.rule for w in project.warnings} == {"ECR-REPL-DEST"}  # the one deliberate warning


def test_every_catalogued_rule_has_a_test_naming_it():
    tests = Path(__file__).resolve().parent.parent
    text = "\n".join(p.read_text() for p in tests.rglob("test_*.py") if p.name != Path(__file__).name)
    text += "\n".join(case[0] for case in FIELD_CASES)
    untested = sorted(rule for rule in CATALOGUE if rule not in text)
    assert not untested, f"rules with no failing test that names them: {untested}"
