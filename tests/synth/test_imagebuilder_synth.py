"""The prod Image Builder pipeline as synthesized (dev and stg have none)."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from core.loader import load_project
from tests.conftest import CONFIG, one, resources
from tests.unit.helpers import edit, loads

PRIMARY = "prod-ap-northeast-1"
ORG_ARN = "arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5"
OU_ARN = "arn:aws:organizations::111122223333:ou/o-a1b2c3d4e5/ou-ab12-cdef5678"
# a bash step whose text Terraform would read as templates if it were not escaped
TEMPLATE_STEP = """      - name: ShowHome
        action: ExecuteBash
        inputs:
          commands:
            - echo "${HOME} %{ if true }x%{ endif }"
"""


@pytest.fixture(scope="module")
def variant(tmp_path_factory):
    """prod synthesized again after a change that went through the documented flow: the component
    document changed, component and recipe versions bumped, `image-lock` run; us-west-2 AMIs are
    shared with an organization and an OU only."""
    from core import imagelock
    from core.synth import synthesize

    config = tmp_path_factory.mktemp("variant") / "config"
    shutil.copytree(CONFIG, config)
    doc = config / "components" / "install-app-dependencies.yaml"
    doc.write_text(doc.read_text().replace("  - name: validate\n", TEMPLATE_STEP + "  - name: validate\n"))

    def change(data):
        ib = data["image_builder"]
        ib["components"][0]["version"] = "1.0.1"
        ib["recipe"]["version"] = "1.1.0"
        ib["distributions"][1]["launch_permission"] = {
            "organization_arns": [ORG_ARN],
            "organizational_unit_arns": [OU_ARN],
        }

    edit(config, "prod", change)
    # `python main.py image-lock`: the one rule it skips is the one that fails until it has run
    imagelock.write(config, load_project(config, skip_rules={imagelock.CURRENT_RULE}).environments)
    project = loads(config)
    out = config.parent / "out"
    synthesize([e for e in project.environments if e.name == "prod"], project.environments, out)
    return json.loads((out / "stacks" / PRIMARY / "cdk.tf.json").read_text())


def test_only_prod_primary_has_image_builder(stacks):
    for name, stack in stacks.items():
        has = bool(resources(stack, "aws_imagebuilder_image_pipeline"))
        assert has == (name == PRIMARY), name


def test_pipeline_schedule_and_tests(stacks):
    pipeline = one(stacks[PRIMARY], "aws_imagebuilder_image_pipeline")
    assert pipeline["schedule"] == {
        "schedule_expression": "cron(0 0 ? * SUN *)",
        "pipeline_execution_start_condition": "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE",
    }
    assert pipeline["image_tests_configuration"] == {"image_tests_enabled": True, "timeout_minutes": 60}


def test_recipe_on_latest_al2023_with_encrypted_gp3_root_and_replaced_first(stacks):
    recipe = one(stacks[PRIMARY], "aws_imagebuilder_image_recipe")
    assert (
        recipe["parent_image"] == "arn:aws:imagebuilder:ap-northeast-1:aws:image/amazon-linux-2023-x86/x.x.x"
    )
    assert recipe["version"] == "1.0.0" and recipe["lifecycle"] == {"create_before_destroy": True}
    ebs = recipe["block_device_mapping"][0]["ebs"]
    assert (ebs["volume_size"], ebs["volume_type"], ebs["encrypted"]) == (30, "gp3", "true")
    assert ebs["kms_key_id"].startswith("${aws_kms_key.")
    arns = [c["component_arn"] for c in recipe["component"]]
    assert arns[0] == "arn:aws:imagebuilder:ap-northeast-1:aws:component/update-linux/x.x.x"
    assert arns[2].startswith("${aws_imagebuilder_component.")


def test_custom_component_from_the_repository(stacks):
    component = one(stacks[PRIMARY], "aws_imagebuilder_component")
    assert component["name"] == "acme-prod-install-app-dependencies" and component["version"] == "1.0.0"
    assert "dnf install -y docker git jq" in component["data"]
    assert component["lifecycle"] == {"create_before_destroy": True}


def test_infrastructure_imdsv2_terminate_logs_and_notifications(stacks):
    infra = one(stacks[PRIMARY], "aws_imagebuilder_infrastructure_configuration")
    assert infra["instance_metadata_options"] == {"http_tokens": "required", "http_put_response_hop_limit": 2}
    assert infra["terminate_instance_on_failure"] is True and infra["instance_types"] == ["m5.large"]
    assert infra["subnet_id"] == "subnet-0a1b2c3d4e5f60718"
    # a reference to the log bucket (Terraform creates it first), which is the named bucket
    ref = re.fullmatch(r"\$\{aws_s3_bucket\.([\w-]+)\.id\}", infra["logging"]["s3_logs"]["s3_bucket_name"])
    assert ref, infra["logging"]["s3_logs"]
    bucket = stacks[PRIMARY]["resource"]["aws_s3_bucket"][ref.group(1)]
    assert bucket["bucket"] == "acme-prod-image-builder-logs-123456789012-ap-northeast-1"
    # build logs expire (default 90 days); old versions and stray uploads go after a day
    [expiry] = [
        c
        for c in resources(stacks[PRIMARY], "aws_s3_bucket_lifecycle_configuration")
        if c["bucket"] == f"${{aws_s3_bucket.{ref.group(1)}.id}}"
    ]
    [rule] = expiry["rule"]
    assert rule["id"] == "expire-build-logs" and rule["status"] == "Enabled"
    assert rule["expiration"] == [{"days": 90}]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 1}]
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 1}]
    topic = one(stacks[PRIMARY], "aws_sns_topic", name="acme-prod-my-golden-image")
    # the topic's key lets Image Builder's service-linked role publish (it is not a service principal)
    topic_key = re.fullmatch(r"\$\{aws_kms_key\.([\w-]+)\.arn\}", topic["kms_master_key_id"])
    assert topic_key, topic
    statements = json.loads(stacks[PRIMARY]["resource"]["aws_kms_key"][topic_key.group(1)]["policy"])[
        "Statement"
    ]
    [publish] = [s for s in statements if s["Sid"] == "ServiceLinkedRolesPublishEncrypted"]
    assert publish["Condition"]["ArnEquals"] == {
        "aws:PrincipalArn": [
            "arn:aws:iam::123456789012:role/aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder"
        ]
    }
    assert set(publish["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    policies = {r["policy_arn"] for r in resources(stacks[PRIMARY], "aws_iam_role_policy_attachment")}
    assert {
        "arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilder",
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/service-role/EC2ImageBuilderLifecycleExecutionPolicy",
    } <= policies


def test_distribution_per_region_with_own_key_and_launch_permission(stacks):
    stack = stacks[PRIMARY]
    dist = one(stack, "aws_imagebuilder_distribution_configuration")["distribution"]
    assert [d["region"] for d in dist] == ["ap-northeast-1", "us-west-2"]
    for d in dist:
        ami = d["ami_distribution_configuration"]
        assert ami["name"] == "my-golden-image-{{ imagebuilder:buildDate }}"
        assert ami["launch_permission"] == {"user_ids": ["222222222222", "333333333333"]}
    keys = {d["region"]: d["ami_distribution_configuration"]["kms_key_id"] for d in dist}
    assert keys["ap-northeast-1"] != keys["us-west-2"]
    west_keys = [k for k in resources(stack, "aws_kms_key") if k.get("provider") == "aws.us-west-2"]
    assert any("Image Builder AMIs" in k["description"] for k in west_keys)
    assert {"image_distribution_ap_northeast_1_key_arn", "image_distribution_us_west_2_key_arn"} <= set(
        stack["output"]
    )


def test_lifecycle_policy_deprecates_then_deletes_with_snapshots(stacks):
    policy = one(stacks[PRIMARY], "aws_imagebuilder_lifecycle_policy")
    details = {d["action"][0]["type"]: d for d in policy["policy_detail"]}
    assert details["DEPRECATE"]["filter"] == [{"type": "COUNT", "value": 3}]
    assert details["DELETE"]["filter"] == [{"type": "COUNT", "value": 5}]
    assert details["DELETE"]["action"][0]["include_resources"] == [{"amis": True, "snapshots": True}]
    assert policy["resource_type"] == "AMI_IMAGE"
    # the recipe by its attribute (Terraform orders the policy after it), at the one version it has
    [selection] = policy["resource_selection"]
    [recipe] = selection["recipe"]
    ref = re.fullmatch(r"\$\{aws_imagebuilder_image_recipe\.([\w-]+)\.name\}", recipe["name"])
    assert ref and recipe["semantic_version"] == "1.0.0", selection
    assert stacks[PRIMARY]["resource"]["aws_imagebuilder_image_recipe"][ref.group(1)]["name"] == (
        "acme-prod-my-golden-image"
    )


def test_lifecycle_policy_keeps_selecting_the_recipe_versions_before_a_bump(variant):
    """1.0.0 built AMIs, then the recipe moved to 1.1.0: the policy still deprecates and deletes
    1.0.0's AMIs (a selection of 1.1.0 alone would leave them forever)."""
    policy = one(variant, "aws_imagebuilder_lifecycle_policy")
    [selection] = policy["resource_selection"]
    assert [r["semantic_version"] for r in selection["recipe"]] == ["1.1.0", "1.0.0"]
    assert len({r["name"] for r in selection["recipe"]}) == 1
    assert one(variant, "aws_imagebuilder_image_recipe")["version"] == "1.1.0"


def test_component_document_reaches_aws_literally(variant):
    component = one(variant, "aws_imagebuilder_component")
    assert component["version"] == "1.0.1"
    # Terraform renders `$${` as `${` and `%%{` as `%{`: the document arrives as written
    assert 'echo "$${HOME} %%{ if true }x%%{ endif }"' in component["data"]
    assert "dnf install -y docker git jq" in component["data"]


def test_organization_and_ou_launch_permissions_reach_the_ami_keys(variant):
    dist = one(variant, "aws_imagebuilder_distribution_configuration")["distribution"]
    perms = {d["region"]: d["ami_distribution_configuration"]["launch_permission"] for d in dist}
    assert perms["us-west-2"] == {"organization_arns": [ORG_ARN], "organizational_unit_arns": [OU_ARN]}
    assert perms["ap-northeast-1"] == {"user_ids": ["222222222222", "333333333333"]}
    ami_keys = [k for k in resources(variant, "aws_kms_key") if "Image Builder" in k["description"]]
    assert len(ami_keys) == 2  # the primary region's key and the us-west-2 one
    for key in ami_keys:
        by_sid = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
        assert by_sid["OrganizationsUseKey"]["Condition"] == {
            "StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]}
        }
        assert by_sid["OrganizationalUnitsUseKey"]["Condition"] == {
            "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/*/ou-ab12-cdef5678/*"]}
        }
        assert by_sid["OtherAccountsUseKey"]["Principal"] == {
            "AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]
        }


def test_reference_ami_keys_name_no_organization(stacks):
    for key in resources(stacks[PRIMARY], "aws_kms_key"):
        sids = {s["Sid"] for s in json.loads(key["policy"])["Statement"]}
        assert not sids & {"OrganizationsUseKey", "OrganizationalUnitsUseKey"}, key["description"]
