"""Loading and validating the configuration: the reference loads, bad input gets one clear error."""

from __future__ import annotations

import pytest

from core.models import DEFAULT_PROVIDER_VERSION
from tests.unit.helpers import edit, error_for, errors, loads


def test_reference_configuration_loads(project):
    by_name = {e.name: e for e in project.environments}
    assert sorted(by_name) == ["dev", "prod", "stg"]
    assert by_name["dev"].account_id == "111111111111"
    assert by_name["dev"].backend.type == "local"
    assert by_name["stg"].backend.type == "s3" and by_name["stg"].backend.use_lockfile is True
    assert by_name["prod"].regions == ("ap-northeast-1", "us-west-2")
    assert by_name["prod"].ecr.registry.scanning.frequency == "CONTINUOUS_SCAN"
    assert all(e.aws_provider_version == DEFAULT_PROVIDER_VERSION for e in project.environments)


def test_reference_warns_about_the_unmanaged_replication_destination(project):
    [warning] = [w for w in project.warnings if w.rule == "ECR-REPL-DEST"]
    text = warning.render()
    assert "333333333333/ap-northeast-1" in text
    assert "ecr:ReplicateImage" in text and "arn:aws:iam::123456789012:root" in text
    assert text.startswith("config/environments/prod.yaml:") or "prod.yaml:" in text


def test_malformed_yaml_names_file_and_line(config_dir):
    path = config_dir / "environments" / "dev.yaml"
    path.write_text("org: acme\naccount_id: '111111111111'\necr: [unclosed\n")
    [message] = errors(config_dir)
    assert "dev.yaml:" in message and "is not valid YAML" in message
    assert message.split(":")[1].isdigit()  # a line number
    assert message.endswith("[CFG-YAML]")


def test_unknown_key_names_path_and_allowed_keys(config_dir):
    edit(config_dir, "dev", lambda d: d["ecr"]["repositories"][0].update(colour="blue"))
    message = error_for(config_dir, "colour")
    assert "ecr.repositories[0].colour: unknown key 'colour'" in message
    assert "allowed keys here: name, image_tag_mutability, lifecycle" in message
    assert "[CFG-UNKNOWN-KEY]" in message


def test_account_id_must_be_a_quoted_string(config_dir):
    edit(config_dir, "dev", lambda d: d.update(account_id=111111111111))
    message = error_for(config_dir, "account_id")
    assert "must be a quoted string" in message and "got 111111111111" in message


def test_wrong_type_is_reported_with_its_value(config_dir):
    edit(config_dir, "dev", lambda d: d["ecr"]["repositories"][0].update(force_delete="maybe"))
    message = error_for(config_dir, "force_delete")
    assert message.endswith("must be true or false, got 'maybe' [CFG-SCHEMA]")


def test_a_bad_backend_type_names_the_type_field_and_value(config_dir):
    edit(config_dir, "stg", lambda d: d["backend"].update(type="gcs"))
    [message] = errors(config_dir)
    assert message.endswith("backend.type: must be one of 'local', 's3', 'cloud', got 'gcs' [CFG-SCHEMA]")


def test_a_bad_list_entry_is_one_error_not_also_a_too_short_list(config_dir):
    edit(config_dir, "prod", lambda d: d["image_builder"].update(instance_types=["M5.LARGE"]))
    [message] = errors(config_dir)
    assert "image_builder.instance_types[0]: must be an EC2 instance type" in message
    assert message.endswith("got 'M5.LARGE' [EC2-INSTANCE-TYPE]")


def test_an_unquoted_number_for_a_quoted_choice_says_to_quote_it(config_dir):
    edit(config_dir, "prod", lambda d: d["artifact_bucket"].update(min_tls_version=1.2))
    [message] = errors(config_dir)
    assert message.endswith(
        "artifact_bucket.min_tls_version: must be one of '1.2' or '1.3' (in quotes: YAML reads 1.2 as a "
        "number), got 1.2 [CFG-SCHEMA]"
    )


def test_top_level_unknown_key_does_not_offer_name_and_name_is_refused(config_dir):
    edit(config_dir, "dev", lambda d: d.update(orgs="acme"))
    message = error_for(config_dir, "orgs")
    allowed = message.split("allowed keys here: ")[1].split(" [")[0].split(", ")
    assert "org" in allowed and "account_id" in allowed and "name" not in allowed
    edit(config_dir, "dev", lambda d: (d.pop("orgs"), d.update(name="development")))
    assert error_for(config_dir, "name").endswith(
        "name: is taken from the file name; remove it, got 'development' [CFG-UNKNOWN-KEY]"
    )


def test_an_empty_environments_folder_is_one_error(config_dir):
    for path in (config_dir / "environments").glob("*.yaml"):
        path.unlink()
    [message] = errors(config_dir)
    assert message.endswith("holds no environment files (*.yaml); nothing to synthesize [CFG-ENV-FILES]")


@pytest.mark.parametrize("name", ["My_App", "/leading-slash", "a" * 257, "x", "double--dash-ok/../no"])
def test_rejects_invalid_repository_names(config_dir, name):
    edit(config_dir, "dev", lambda d: d["ecr"]["repositories"][0].update(name=name))
    message = error_for(config_dir, "[ECR-REPO-NAME]")
    assert "dev.yaml:" in message and "ecr.repositories[0].name: must be" in message
    assert repr(name)[:60] in message


def test_accepts_namespaced_repository_names(config_dir):
    edit(config_dir, "dev", lambda d: d["ecr"]["repositories"][0].update(name="team-a/service_1.web"))
    assert loads(config_dir).select(["dev"])[0].ecr.repositories[0].name == "team-a/service_1.web"


def test_rejects_duplicate_repository(config_dir):
    edit(config_dir, "dev", lambda d: d["ecr"]["repositories"].append({"name": "my-app"}))
    message = error_for(config_dir, "[ECR-REPO-DUP]")
    assert "ecr.repositories[1].name: must be unique" in message and "'my-app'" in message


def test_rejects_duplicate_yaml_keys(config_dir):
    path = config_dir / "environments" / "dev.yaml"
    path.write_text(path.read_text() + "org: other\n")
    [message] = errors(config_dir)
    assert "duplicate key 'org'" in message and "dev.yaml:" in message
    assert ": org: duplicate key 'org' (first on line " in message and message.endswith("[CFG-YAML]")


@pytest.mark.parametrize(
    ("text", "meant"), [("yes", "true"), ("off", "false"), ("No", "false"), ("ON", "true")]
)
def test_rejects_yaml_1_1_booleans(config_dir, text, meant):
    """PyYAML reads yes/no/on/off as booleans: `prevent_destroy: off` or a tag `Country: NO` must not
    silently become a switch."""
    path = config_dir / "environments" / "dev.yaml"
    path.write_text(path.read_text() + f"prevent_destroy: {text}\n")
    [message] = errors(config_dir)
    line = len(path.read_text().splitlines())
    assert message.endswith(
        f"dev.yaml:{line}: prevent_destroy: {text!r} is a YAML 1.1 boolean (read as {meant}): write {meant} "
        f"for a switch, or quote it ('{text}') for text [CFG-YAML]"
    )


def test_yaml_1_2_booleans_and_quoted_words_are_fine(config_dir):
    path = config_dir / "environments" / "dev.yaml"
    path.write_text(path.read_text() + "prevent_destroy: True\n")
    assert [e.prevent_destroy for e in loads(config_dir).environments if e.name == "dev"] == [True]


def test_collects_every_problem_at_once(config_dir):
    edit(config_dir, "dev", lambda d: d.update(primary_region="tokyo", org="Acme"))
    edit(config_dir, "stg", lambda d: d["ecr"]["repositories"][0].update(name="Bad"))
    found = errors(config_dir)
    assert any("dev.yaml" in e and "primary_region" in e and "'tokyo'" in e for e in found)
    assert any("dev.yaml" in e and "org" in e and "'Acme'" in e for e in found)
    assert any("stg.yaml" in e and "'Bad'" in e for e in found)


def test_backend_type_must_be_known(config_dir):
    edit(config_dir, "stg", lambda d: d["backend"].update(type="gcs"))
    message = error_for(config_dir, "backend")
    assert "must be one of 'local', 's3', 'cloud'" in message and "'gcs'" in message


def test_s3_backend_field_errors_name_the_plain_path(config_dir):
    edit(config_dir, "stg", lambda d: d["backend"].update(region="nowhere"))
    message = error_for(config_dir, "[AWS-REGION]")
    assert "backend.region: must be an AWS region code" in message


def test_deploy_role_must_be_in_the_environment_account(config_dir):
    edit(config_dir, "dev", lambda d: d.update(deploy_role_arn="arn:aws:iam::999999999999:role/x"))
    assert "must be a role in account 111111111111" in error_for(config_dir, "[CFG-ROLE-ACCOUNT]")


def test_two_environments_cannot_own_one_registry(config_dir):
    edit(
        config_dir,
        "stg",
        lambda d: d.update(account_id="111111111111", deploy_role_arn="arn:aws:iam::111111111111:role/d"),
    )
    message = error_for(config_dir, "[CFG-REGISTRY-OWNER]")
    assert "111111111111 in ap-northeast-1 already has its registry-level settings owned by" in message


def test_file_name_must_be_a_valid_environment_name(config_dir):
    (config_dir / "environments" / "dev.yaml").rename(config_dir / "environments" / "Dev_1.yaml")
    message = error_for(config_dir, "Dev_1.yaml")
    assert "file name must be 1-20 lowercase letters" in message


def test_name_key_is_refused(config_dir):
    edit(config_dir, "dev", lambda d: d.update(name="dev"))
    assert "is taken from the file name" in error_for(config_dir, "name")


def test_unknown_environment_selected(project):
    from core.errors import UsageError

    with pytest.raises(UsageError) as info:
        project.select(["qa", "dev", "uat"])
    assert str(info.value) == "--env: unknown environment 'qa', 'uat'; defined: dev, prod, stg"


def test_empty_config_dir_is_an_error(tmp_path):
    [message] = errors(tmp_path)
    assert "holds no environment files" in message


def test_alias_bomb_is_refused_quickly(config_dir):
    rows = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdef", "bcdefg", strict=True):
        rows.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]")
    (config_dir / "environments" / "dev.yaml").write_text("\n".join(rows) + "\n")
    [message] = errors(config_dir)
    assert "dev.yaml:" in message and "expands to more than 50000 values" in message


def test_rejects_a_region_aws_does_not_list(config_dir):
    edit(config_dir, "prod", lambda d: d.update(extra_regions=["us-west-9"]))
    [message] = errors(config_dir)
    assert "prod.yaml" in message and "extra_regions[0]: is not a region AWS lists" in message
    assert "did you mean us-west-1, us-west-2?" in message and "'us-west-9'" in message
    assert message.endswith("[AWS-REGION-KNOWN]")


@pytest.mark.parametrize(
    ("env", "path"),
    [
        ("prod", ("ecr", "registry", "replication", 0, "destinations", 0, "region")),
        ("prod", ("artifact_bucket", "replication", "region")),
        ("prod", ("image_builder", "distributions", 1, "region")),
        ("stg", ("backend", "region")),
    ],
)
def test_every_region_field_names_a_region_aws_lists(config_dir, env, path):
    def change(data):
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = "us-west-9"

    edit(config_dir, env, change)
    shown = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    message = error_for(config_dir, "[AWS-REGION-KNOWN]")
    assert f"{env}.yaml:" in message and f"{shown}: is not a region AWS lists" in message
    assert "got 'us-west-9'" in message


def test_reference_regions_are_known(project):
    assert [w for w in project.warnings if w.rule == "AWS-REGION-KNOWN"] == []


def test_rejects_a_list_used_as_a_key(config_dir):
    path = config_dir / "environments" / "dev.yaml"
    lines = path.read_text().count("\n")
    path.write_text(path.read_text() + "? [a, b]\n: 1\n")
    [message] = errors(config_dir)
    assert (
        message.startswith(f"config/environments/dev.yaml:{lines + 1}: ")
        or f"dev.yaml:{lines + 1}:" in message
    )
    assert "keys must be plain text such as 'account_id', got a list or mapping" in message


def test_rejects_a_number_used_as_a_key(config_dir):
    path = config_dir / "environments" / "dev.yaml"
    lines = path.read_text().count("\n")
    path.write_text(path.read_text() + "1: one\n")
    [message] = errors(config_dir)
    assert f"dev.yaml:{lines + 1}:" in message
    assert "keys must be plain text such as 'account_id', got '1' (quote a key meant as text)" in message


def test_one_file_per_environment(config_dir):
    env_dir = config_dir / "environments"
    (env_dir / "dev.yml").write_text((env_dir / "dev.yaml").read_text())
    message = error_for(config_dir, "[CFG-ENV-DUP]")
    assert "dev.yml: defines environment 'dev' again (also " in message
    assert "dev.yaml); keep one file per environment" in message
    assert not [e for e in errors(config_dir) if "CFG-REGISTRY-OWNER" in e or "ECR-REPO-OWNER" in e]


def test_repeated_region_is_reported_once(config_dir):
    edit(config_dir, "prod", lambda d: d.update(extra_regions=["us-west-2", "ap-northeast-1"]))
    found = errors(config_dir)
    assert any("[CFG-REGIONS]" in e for e in found)
    assert not [e for e in found if "CFG-REGISTRY-OWNER" in e], found


def test_two_environments_cannot_define_one_repository_in_one_registry(config_dir):
    def into_dev_account(d):
        d.update(account_id="111111111111", deploy_role_arn="arn:aws:iam::111111111111:role/deploy")
        d["ecr"].pop("registry", None)

    edit(config_dir, "stg", into_dev_account)
    message = error_for(config_dir, "[ECR-REPO-OWNER]")
    assert (
        "stg.yaml" in message
        and "ecr.repositories[0].name: is already defined in account 111111111111" in message
    )
    assert "by environment 'dev'" in message and "'my-app'" in message


def test_same_repository_in_other_accounts_is_fine(project):
    names = {e.name: {r.name for r in e.ecr.repositories} for e in project.environments}
    assert "my-app" in names["dev"] and "my-app" in names["stg"]  # 111111111111 and 222222222222


@pytest.mark.parametrize(
    ("prefix", "ok"),
    [
        ("artifact-platform", True),
        ("teams/platform", True),
        ("/teams/platform/", True),
        ("", False),
        ("a//b", False),
        ("state ${x}", False),
    ],
)
def test_s3_backend_key_prefix(config_dir, prefix, ok):
    edit(config_dir, "stg", lambda d: d["backend"].update(key_prefix=prefix))
    if ok:
        [stg] = loads(config_dir).select(["stg"])
        assert stg.backend.key_prefix == prefix
    else:
        message = error_for(config_dir, "[TF-S3-BACKEND-KEY]")
        assert "backend.key_prefix: must be a non-empty path" in message and repr(prefix) in message


def test_s3_backend_lock_table_name(config_dir):
    edit(config_dir, "stg", lambda d: d["backend"].update(dynamodb_table="terraform-locks"))
    [stg] = loads(config_dir).select(["stg"])
    assert stg.backend.dynamodb_table == "terraform-locks"
    edit(config_dir, "stg", lambda d: d["backend"].update(dynamodb_table="tf locks"))
    message = error_for(config_dir, "[TF-S3-BACKEND-LOCK-TABLE]")
    assert "backend.dynamodb_table: must be a DynamoDB table name" in message and "'tf locks'" in message


def test_s3_backend_without_any_locking_warns(config_dir):
    edit(config_dir, "stg", lambda d: d["backend"].update(use_lockfile=False))
    [warning] = [w.render() for w in loads(config_dir).warnings if w.rule == "TF-S3-BACKEND-LOCKING"]
    assert "stg.yaml:" in warning and "backend.use_lockfile: leaves the state unlocked" in warning
    edit(config_dir, "stg", lambda d: d["backend"].update(dynamodb_table="terraform-locks"))
    assert not [w for w in loads(config_dir).warnings if w.rule == "TF-S3-BACKEND-LOCKING"]


@pytest.mark.parametrize(
    ("constraint", "ok"),
    [
        ("~> 4.0", False),
        ("< 5.0", False),
        (">= 7.0", False),
        ("~> 6.0", True),
        ("5.100.0", True),
        ("~> 5.100", True),
    ],
)
def test_provider_version_must_admit_a_checked_version(config_dir, constraint, ok):
    edit(config_dir, "dev", lambda d: d.update(aws_provider_version=constraint))
    if ok:
        [dev] = loads(config_dir).select(["dev"])
        assert dev.aws_provider_version == constraint
    else:
        message = error_for(config_dir, "[TF-PROVIDER-RANGE]")
        assert "aws_provider_version: admits none of the AWS provider versions" in message
        assert "(5.100.0, 6.0.0, 6.25.0)" in message and repr(constraint) in message


def _cloud(**fields):
    def change(d):
        d["backend"] = {"type": "cloud", "organization": "acme", "workspace_prefix": "artifacts-", **fields}

    return change


def test_cloud_backend_accepts_hcp_names(config_dir):
    edit(config_dir, "stg", _cloud())
    [stg] = loads(config_dir).select(["stg"])
    assert (stg.backend.organization, stg.backend.workspace_prefix, stg.backend.hostname) == (
        "acme",
        "artifacts-",
        "app.terraform.io",
    )


@pytest.mark.parametrize(
    ("fields", "path", "value"),
    [
        ({"organization": ""}, "backend.organization", "''"),
        ({"workspace_prefix": "bad name!"}, "backend.workspace_prefix", "'bad name!'"),
        ({"workspace_prefix": "x" * 80}, "backend.workspace_prefix", "'" + "x" * 80 + "'"),
        ({"hostname": "https://app.terraform.io"}, "backend.hostname", "'https://app.terraform.io'"),
    ],
)
def test_cloud_backend_rejects_names_hcp_refuses(config_dir, fields, path, value):
    edit(config_dir, "stg", _cloud(**fields))
    message = error_for(config_dir, "[TF-CLOUD-BACKEND]")
    assert f"{path}: must be" in message and f"got {value}" in message


@pytest.mark.parametrize(
    ("change", "path", "message", "shown"),
    [
        (
            lambda d: d["ecr"]["defaults"]["lifecycle"][0].update(keep_last=True),
            "lifecycle[0].keep_last",
            "must be a whole number",
            "True",
        ),
        (
            lambda d: d["ecr"]["defaults"]["lifecycle"][0].update(keep_last="10"),
            "lifecycle[0].keep_last",
            "must be a whole number",
            "'10'",
        ),
        (lambda d: d.update(prevent_destroy="off"), "prevent_destroy", "must be true or false", "'off'"),
        (
            lambda d: d["ecr"]["repositories"][0].update(force_delete=1),
            "ecr.repositories[0].force_delete",
            "must be true or false",
            "1",
        ),
    ],
)
def test_numbers_and_booleans_are_not_coerced(config_dir, change, path, message, shown):
    edit(config_dir, "dev", change)
    [found] = [e for e in errors(config_dir) if f"{path}: " in e]
    assert f"{path}: {message}, got {shown}" in found


def test_every_number_and_boolean_field_is_strict():
    import typing

    from pydantic import BaseModel

    import core.models as models

    loose = []
    for model in vars(models).values():
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        for name, info in model.model_fields.items():
            kinds = {info.annotation, *typing.get_args(info.annotation)}
            if kinds & {int, bool} and not any(type(m).__name__ == "Strict" for m in info.metadata):
                loose.append(f"{model.__name__}.{name}")
    assert not loose, f"use StrictInt / StrictBool for: {loose}"
