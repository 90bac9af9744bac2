"""Image Builder rules (IB-*): each fails on a bad input and passes on the reference configuration."""

from __future__ import annotations

import json

import pytest

from core.imagelock import component_hash, project_lock, render
from tests.unit.helpers import edit, error_for, errors, loads

DOC = "components/install-app-dependencies.yaml"


def ib(change):
    return lambda d: change(d["image_builder"])


def test_reference_configuration_passes(config_dir):
    project = loads(config_dir)
    assert not [w for w in project.warnings if "IB-" in w.render()]


def test_committed_lock_file_is_current(project):
    from tests.conftest import CONFIG

    assert render(project_lock(project.environments)) == (CONFIG / "image-builder.lock.json").read_text(), (
        "config/image-builder.lock.json is stale: run `python main.py image-lock`"
    )


def test_rejects_five_field_cron(config_dir):
    edit(config_dir, "prod", ib(lambda i: i.update(schedule="cron(0 0 * * *)")))
    assert "six-field" in error_for(config_dir, "[IB-CRON]")


def test_rejects_cron_with_both_day_fields(config_dir):
    edit(config_dir, "prod", ib(lambda i: i.update(schedule="cron(0 0 * * SUN *)")))
    assert "image_builder.schedule" in error_for(config_dir, "[IB-CRON-DAYS]")


@pytest.mark.parametrize(
    ("schedule", "complaint"),
    [
        ("cron(0 25 ? * SUN *)", "hour field '25' must be 0-23, with , - * /;"),
        ("cron(99 0 ? * SUN *)", "minute field '99' must be 0-59"),
        (
            "cron(0 0 ? * FUNDAY *)",
            "day-of-week field 'FUNDAY' must be 1-7 or SUN-SAT, with , - * / and ? L #",
        ),
        ("cron(0 0 32 * ? *)", "day-of-month field '32' must be 1-31, with , - * / and ? L W"),
        ("cron(0 0 ? 13 SUN *)", "month field '13' must be 1-12 or JAN-DEC"),
        ("cron(0 0 ? * SUN 1969)", "year field '1969' must be 1970-2199"),
        ("cron(0/0 0 ? * SUN *)", "minute field '0/0'"),
        ("cron(0 0 ? * 2#6 *)", "day-of-week field '2#6'"),
    ],
)
def test_rejects_cron_fields_out_of_range(config_dir, schedule, complaint):
    edit(config_dir, "prod", ib(lambda i: i.update(schedule=schedule)))
    [message] = errors(config_dir)
    assert "image_builder.schedule: " + complaint in message and message.endswith(
        f"got {schedule!r} [IB-CRON-FIELDS]"
    )


@pytest.mark.parametrize(
    "schedule",
    [
        "cron(0/15 8-17 ? * MON-FRI *)",
        "cron(0 0 L * ? *)",
        "cron(0 0 15W * ? *)",
        "cron(0 0 ? * 6L *)",
        "cron(0 0 ? * 2#1 *)",
        "cron(30 2 1,15 JAN,JUL ? 2027-2030)",
        "cron(0 0 ? * */2 *)",
    ],
)
def test_accepts_cron_fields_aws_documents(config_dir, schedule):
    edit(config_dir, "prod", ib(lambda i: i.update(schedule=schedule)))
    loads(config_dir)


def test_rejects_non_semantic_version(config_dir):
    edit(config_dir, "prod", ib(lambda i: i["components"][0].update(version="1.0")))
    assert "components[0].version" in error_for(config_dir, "[IB-SEMVER]")


def test_rejects_two_distributions_in_one_region(config_dir):
    edit(config_dir, "prod", ib(lambda i: i["distributions"][1].update(region="ap-northeast-1")))
    assert "distributions[1].region" in error_for(config_dir, "[IB-DIST-REGION]")


ORG = "arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5"
OU = "arn:aws:organizations::111122223333:ou/o-a1b2c3d4e5/ou-ab12-cdef5678"


def test_rejects_empty_launch_permission(config_dir):
    edit(config_dir, "prod", ib(lambda i: i["distributions"][0]["launch_permission"].update(account_ids=[])))
    found = [e for e in errors(config_dir) if "[IB-LAUNCH-PERMISSION]" in e]
    assert len(found) == 2, found
    assert "distributions[0].launch_permission: must name at least one of account_ids" in found[0]
    assert "distributions[0].launch_permission.account_ids: must not be empty when given" in found[1]


def test_accepts_organization_or_ou_only_launch_permission(config_dir):
    def share(i):
        i["distributions"][0]["launch_permission"] = {"organization_arns": [ORG]}
        i["distributions"][1]["launch_permission"] = {"organizational_unit_arns": [OU]}

    edit(config_dir, "prod", ib(share))
    [prod] = [e for e in loads(config_dir).environments if e.name == "prod"]
    assert prod.image_builder is not None
    perms = [d.launch_permission for d in prod.image_builder.distributions]
    assert [(p.account_ids, p.organization_arns, p.organizational_unit_arns) for p in perms if p] == [
        ((), (ORG,), ()),
        ((), (), (OU,)),
    ]


def test_rejects_given_but_empty_account_list_next_to_an_organization(config_dir):
    edit(
        config_dir,
        "prod",
        ib(
            lambda i: i["distributions"][0].update(
                launch_permission={"account_ids": [], "organization_arns": [ORG]}
            )
        ),
    )
    found = [e for e in errors(config_dir) if "[IB-LAUNCH-PERMISSION]" in e]
    assert len(found) == 1 and "launch_permission.account_ids: must not be empty when given" in found[0], (
        found
    )


def test_rejects_launch_permission_account_that_is_not_12_digits(config_dir):
    edit(
        config_dir,
        "prod",
        ib(lambda i: i["distributions"][0]["launch_permission"].update(account_ids=["2222"])),
    )
    assert "account_ids[0]" in error_for(config_dir, "[AWS-ACCOUNT-ID]")


def test_rejects_aws_managed_key_for_shared_ami(config_dir):
    arn = "arn:aws:kms:ap-northeast-1:123456789012:alias/aws/ebs"
    edit(config_dir, "prod", ib(lambda i: i["distributions"][0].update(kms_key_arn=arn)))
    assert "customer-managed" in error_for(config_dir, "[IB-SHARE-CMK]")


def test_rejects_key_of_another_region(config_dir):
    arn = "arn:aws:kms:ap-northeast-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    edit(config_dir, "prod", ib(lambda i: i["distributions"][1].update(kms_key_arn=arn)))
    assert "must be a key in us-west-2" in error_for(config_dir, "[IB-KEY-REGION]")


def test_accepts_key_in_its_region(config_dir):
    arn = "arn:aws:kms:us-west-2:123456789012:key/11111111-2222-3333-4444-555555555555"
    edit(config_dir, "prod", ib(lambda i: i["distributions"][1].update(kms_key_arn=arn)))
    loads(config_dir)


def test_rejects_component_document_with_a_phase_image_builder_never_runs(config_dir):
    path = config_dir / DOC
    path.write_text(path.read_text().replace("name: build", "name: setup"))
    [message] = errors(config_dir)  # one error: the version waits until the document is valid
    assert message.endswith(
        "image_builder.components[0].document: components/install-app-dependencies.yaml: "
        "phases[0].name must be one of build, validate, test (got 'setup') [IB-COMPONENT-DOC]"
    )


def test_accepts_test_only_component_document_with_a_reboot_step(config_dir):
    """AWS requires at least one of build, validate, test, and Reboot's inputs are all optional."""
    (config_dir / DOC).write_text(
        "schemaVersion: 1.0\nphases:\n  - name: test\n    steps:\n      - name: Restart\n"
        "        action: Reboot\n      - name: Check\n        action: ExecuteBash\n"
        "        inputs: {commands: [docker --version]}\n"
    )
    found = errors(config_dir)  # the document changed, so only its version is asked for
    assert not [e for e in found if "[IB-COMPONENT-DOC]" in e], found
    assert any("bump version 1.0.0 to 1.0.1" in e for e in found), found


def test_rejects_component_document_that_is_not_yaml(config_dir):
    (config_dir / DOC).write_text("phases: [\n")
    assert "is not valid YAML" in error_for(config_dir, "[IB-COMPONENT-DOC]")


def test_rejects_step_without_inputs_and_wrong_schema_version(config_dir):
    path = config_dir / DOC
    text = path.read_text().replace("schemaVersion: 1.0", "schemaVersion: 2.0")
    path.write_text(
        text.replace("        inputs:\n          commands:\n            - systemctl enable docker\n", "")
    )
    found = "\n".join(e for e in errors(config_dir) if "[IB-COMPONENT-DOC]" in e)
    assert "schemaVersion: 1.0" in found
    assert "steps[1] must have inputs (action 'ExecuteBash' has required inputs" in found


def test_rejects_missing_component_document(config_dir):
    (config_dir / DOC).unlink()
    assert "cannot be read" in error_for(config_dir, "[IB-COMPONENT-DOC]")


def test_rejects_ami_name_without_build_date(config_dir):
    edit(config_dir, "prod", ib(lambda i: i.update(ami_name="latest")))
    assert "imagebuilder:buildDate" in error_for(config_dir, "[IB-AMI-NAME]")


def test_rejects_lifecycle_deleting_before_deprecating(config_dir):
    edit(config_dir, "prod", ib(lambda i: i.update(lifecycle={"keep_active": 5, "keep": 5})))
    assert "greater than keep_active" in error_for(config_dir, "[IB-LIFECYCLE]")


def test_rejects_component_listed_twice(config_dir):
    edit(config_dir, "prod", ib(lambda i: i["recipe"]["components"].append("update-linux")))
    assert "listed twice" in error_for(config_dir, "[IB-COMPONENT-REF]")


# --- versions that follow content (IB-VERSION-LOCK, IB-LOCK-CURRENT) ------------------------------


def _change_document(config_dir):
    path = config_dir / DOC
    path.write_text(path.read_text().replace("docker git jq", "docker git jq unzip"))


def test_changed_component_without_bump_names_the_version_to_bump(config_dir):
    _change_document(config_dir)
    found = [e for e in errors(config_dir) if "[IB-VERSION-LOCK]" in e]
    assert any(
        "components[0].version" in e
        and "component install-app-dependencies changed" in e
        and "bump version 1.0.0 to 1.0.1" in e
        for e in found
    ), found


def image_lock(config_dir) -> int:
    """`python main.py image-lock` as a user runs it (in-process: same code path, exit code)."""
    from core.cli import main

    return main(["image-lock", "--config-dir", str(config_dir)])


def locked(config_dir, kind, name):
    return json.loads((config_dir / "image-builder.lock.json").read_text())["prod"][kind][name]


def bump(component, recipe):
    def change(i):
        i["components"][0]["version"] = component
        i["recipe"]["version"] = recipe

    return ib(change)


def test_bumped_versions_fail_until_image_lock_records_them(config_dir):
    _change_document(config_dir)
    edit(config_dir, "prod", bump("1.0.1", "1.0.0"))
    # the recipe refers to the component's version, so it must be bumped too
    assert "bump version 1.0.0 to 1.0.1" in error_for(config_dir, "recipe my-golden-image changed")
    edit(config_dir, "prod", bump("1.0.1", "1.0.1"))
    stale = [e for e in errors(config_dir) if "[IB-LOCK-CURRENT]" in e]
    assert len(stale) == 2, stale  # an error, not a warning: nothing is applied under an unrecorded version
    assert (
        "components[0].version: image-builder.lock.json still records component install-app-dependencies "
        in (stale[0])
    )
    assert "at 1.0.0: run `python main.py image-lock` and commit it" in stale[0]
    assert image_lock(config_dir) == 0
    assert locked(config_dir, "components", "install-app-dependencies")["version"] == "1.0.1"
    assert not [w for w in loads(config_dir).warnings if "IB-" in w.render()]


def test_content_changed_again_after_image_lock_asks_for_the_next_version(config_dir, capsys):
    """Bumped, recorded, (maybe applied), then changed again: 1.0.1 may exist in AWS with the first
    content, so the synth and image-lock both refuse the second one under 1.0.1."""
    _change_document(config_dir)
    edit(config_dir, "prod", bump("1.0.1", "1.0.1"))
    assert image_lock(config_dir) == 0
    recorded = locked(config_dir, "components", "install-app-dependencies")
    path = config_dir / DOC
    path.write_text(path.read_text().replace("unzip", "unzip zip"))
    assert "bump version 1.0.1 to 1.0.2" in error_for(config_dir, "components[0].version")
    assert image_lock(config_dir) == 2
    assert "bump version 1.0.1 to 1.0.2" in capsys.readouterr().err
    assert locked(config_dir, "components", "install-app-dependencies") == recorded  # nothing written


def test_content_changed_again_before_image_lock_records_the_final_content(config_dir):
    """Bumped, changed again without image-lock: nothing could be applied in between (the synth
    failed), so image-lock records the final content under the bumped version."""
    _change_document(config_dir)
    edit(config_dir, "prod", bump("1.0.1", "1.0.1"))
    path = config_dir / DOC
    path.write_text(path.read_text().replace("unzip", "unzip zip"))
    assert "[IB-LOCK-CURRENT]" in error_for(config_dir, "components[0].version")
    assert image_lock(config_dir) == 0
    [prod] = [e for e in loads(config_dir).environments if e.name == "prod"]
    assert prod.image_builder is not None
    assert locked(config_dir, "components", "install-app-dependencies") == {
        "version": "1.0.1",
        "sha256": component_hash(prod.image_builder.components[0]),
    }


def test_new_component_must_be_recorded(config_dir):
    (config_dir / "components" / "extra.yaml").write_text((config_dir / DOC).read_text())

    def add(i):
        i["components"].append({"name": "extra", "version": "1.0.0", "document": "components/extra.yaml"})

    edit(config_dir, "prod", ib(add))
    assert "component extra is not in image-builder.lock.json: run `python main.py image-lock`" in error_for(
        config_dir, "[IB-LOCK-CURRENT]"
    )
    assert image_lock(config_dir) == 0
    assert locked(config_dir, "components", "extra")["version"] == "1.0.0"


def test_recipe_change_without_bump_fails(config_dir):
    edit(config_dir, "prod", ib(lambda i: i["recipe"]["root_volume"].update(size_gib=40)))
    assert "bump version 1.0.0 to 1.0.1" in error_for(config_dir, "recipe.version")


def test_version_below_the_lock_fails(config_dir):
    edit(config_dir, "prod", ib(lambda i: i["recipe"].update(version="0.9.0")))
    assert "below the locked version 1.0.0" in error_for(config_dir, "[IB-VERSION-LOCK]")


# --- values that reach Terraform as they are ---------------------------------------------------


def test_rejects_instance_types_that_are_not_family_dot_size(config_dir):
    bad = ["m5", "M5.large", "${var.type}.large", "m5.large "]
    edit(config_dir, "prod", ib(lambda i: i.update(instance_types=bad)))
    found = [e for e in errors(config_dir) if "[EC2-INSTANCE-TYPE]" in e]
    assert [f"instance_types[{n}]" in e for n, e in enumerate(found)] == [True] * 4, found
    assert "m5.large" in found[0]


def test_accepts_instance_types_of_every_family_form(config_dir):
    good = ["m5.large", "c7i-flex.large", "u-12tb1.112xlarge", "r7iz.metal-16xl", "mac2-m2pro.metal"]
    edit(config_dir, "prod", ib(lambda i: i.update(instance_types=good)))
    [prod] = [e for e in loads(config_dir).environments if e.name == "prod"]
    assert prod.image_builder is not None and prod.image_builder.instance_types == tuple(good)


def test_rejects_working_directory_with_template_syntax_or_relative(config_dir):
    for bad in ("/opt/${path.module}", "/opt/%{ if true }x%{ endif }", "tmp/build"):
        edit(config_dir, "prod", ib(lambda i, bad=bad: i["recipe"].update(working_directory=bad)))
        assert "recipe.working_directory" in error_for(config_dir, "[IB-WORKING-DIR]"), bad


def test_accepts_absolute_working_directory(config_dir):
    edit(config_dir, "prod", ib(lambda i: i["recipe"].update(working_directory="/var/tmp/build-1.0")))
    # accepted by the type; the recipe's content changed, so only the version rule speaks
    assert "bump version 1.0.0 to 1.0.1" in error_for(config_dir, "recipe.version")


def test_lock_keeps_the_recipe_versions_that_built_amis(config_dir):
    """What the lifecycle policy selects: every recorded recipe version, newest first."""
    from core import imagelock

    def prod():
        [env] = [e for e in loads(config_dir).environments if e.name == "prod"]
        return env

    assert imagelock.recipe_versions(prod()) == ["1.0.0"]
    for version in ("1.0.1", "1.2.0"):
        edit(config_dir, "prod", ib(lambda i, v=version: i["recipe"].update(version=v, description=v)))
        assert image_lock(config_dir) == 0
    assert locked(config_dir, "recipes", "my-golden-image")["previous_versions"] == ["1.0.0", "1.0.1"]
    assert imagelock.recipe_versions(prod()) == ["1.2.0", "1.0.1", "1.0.0"]
    assert image_lock(config_dir) == 0  # recording again changes nothing
    assert locked(config_dir, "recipes", "my-golden-image")["previous_versions"] == ["1.0.0", "1.0.1"]


def test_warns_when_the_lifecycle_policy_cannot_select_every_recorded_version(config_dir):
    lock = json.loads((config_dir / "image-builder.lock.json").read_text())
    lock["prod"]["recipes"]["my-golden-image"]["previous_versions"] = [f"0.{n}.0" for n in range(50)]
    (config_dir / "image-builder.lock.json").write_text(json.dumps(lock))
    warnings = [w.render() for w in loads(config_dir).warnings if "[IB-LIFECYCLE]" in w.render()]
    assert len(warnings) == 1 and "records 51 versions of recipe my-golden-image" in warnings[0], warnings
    assert "AMIs of 0.0.0 are no longer deprecated or deleted" in warnings[0]
