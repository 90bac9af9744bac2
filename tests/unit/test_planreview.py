"""The plan review report and guard, from hand-written plan JSON (no Terraform)."""

from __future__ import annotations

from typing import Any

import pytest

from core import planreview
from core.planreview import STATEFUL_TYPES, kind, parse_allow, review, shorten


def rc(address: str, actions: list[str], before: Any = None, after: Any = None, **change: Any) -> dict:
    rtype = address.split(".")[0]
    body = {"actions": actions, "before": before, "after": after, **change}
    return {"address": address, "mode": "managed", "type": rtype, "name": "x", "change": body}


def plan(*changes: dict) -> dict:
    return {"format_version": "1.2", "resource_changes": list(changes)}


BUCKET = "aws_s3_bucket.artifacts_bucket_E0571754"
REPO = "aws_ecr_repository.repo-my-app_repository_A25CE6FE"


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        (["no-op"], None),
        (["read"], None),
        (["forget"], None),
        (["create"], "create"),
        (["update"], "update"),
        (["delete"], "delete"),
        (["delete", "create"], "replace"),
        (["create", "delete"], "replace"),
    ],
)
def test_actions_map_to_the_four_kinds(actions, expected):
    assert kind(actions) == expected


def test_counts_per_stack_and_no_ops_left_out():
    r = review(
        {
            "dev-ap-northeast-1": plan(
                rc("aws_kms_alias.a", ["create"], None, {"name": "alias/x"}),
                rc("aws_kms_alias.b", ["no-op"], {"name": "y"}, {"name": "y"}),
                rc("aws_iam_role.r", ["update"], {"name": "r", "path": "/"}, {"name": "r", "path": "/x/"}),
                rc("aws_iam_role.old", ["delete"], {"name": "old"}, None),
                rc("aws_iam_role.new", ["delete", "create"], {"name": "a"}, {"name": "b"}),
            )
        }
    )
    text = r.markdown()
    assert "| dev-ap-northeast-1 | 1 | 1 | 1 | 1 |" in text
    assert "aws_kms_alias.b" not in text
    assert '`path`: `"/"` -> `"/x/"`' in text
    assert r.ok and text.startswith("# Plan review: PASS") and "DESTRUCTIVE" not in text


def test_only_changed_attributes_are_listed_with_replacement_reasons():
    change = rc(
        REPO,
        ["delete", "create"],
        {"name": "old", "image_tag_mutability": "IMMUTABLE", "arn": "arn:old"},
        {"name": "new", "image_tag_mutability": "IMMUTABLE", "arn": None},
        after_unknown={"arn": True},
        replace_paths=[["name"]],
    )
    [c] = review({"s": plan(change)}, allowed=[f"s:{REPO}"]).stacks[0].changes
    assert c.attributes == (
        ("arn", '"arn:old"', "(known after apply)", False),
        ("name", '"old"', '"new"', True),
    )


def test_sensitive_values_are_masked_before_and_after():
    change = rc(
        "aws_db_instance.db",
        ["update"],
        {"password": "hunter2", "nested": {"token": "abc"}},
        {"password": "s3cret", "nested": {"token": "def"}},
        before_sensitive={"password": True, "nested": {"token": True}},
        after_sensitive={"password": True, "nested": {"token": True}},
    )
    text = review({"s": plan(change)}).markdown()
    assert "hunter2" not in text and "s3cret" not in text and "abc" not in text and "def" not in text
    assert "`password`: `(sensitive)` -> `(sensitive)`" in text


def test_long_values_are_shortened_with_their_length():
    assert shorten("x" * 200) == "x" * 67 + "… (200 chars)"
    assert shorten("short") == "short"
    change = rc("aws_iam_policy.p", ["update"], {"policy": "a" * 500}, {"policy": "b" * 500})
    [c] = review({"s": plan(change)}).stacks[0].changes
    assert all(len(v) <= planreview.MAX_VALUE for v in c.attributes[0][1:3])


@pytest.mark.parametrize("rtype", sorted(STATEFUL_TYPES))
def test_deleting_or_replacing_a_stateful_resource_fails_the_review(rtype):
    for actions in (["delete"], ["delete", "create"], ["create", "delete"]):
        r = review({"prod-us-west-2": plan(rc(f"{rtype}.x", actions, {"id": "1"}, None))})
        assert not r.ok
        assert [c.allow_key for c in r.blocked] == [f"prod-us-west-2:{rtype}.x"]
        text = r.markdown()
        assert text.startswith("# Plan review: FAIL\n\n## ⛔ DESTRUCTIVE CHANGES TO STATEFUL RESOURCES")
        assert f"| prod-us-west-2 | `{rtype}.x` |" in text and "**NO**" in text


def test_deleting_the_blocked_images_table_fails_the_review():
    """Losing the scan gate's table silently unblocks every image: it is stateful."""
    assert "aws_dynamodb_table" in STATEFUL_TYPES
    address = "aws_dynamodb_table.scan-gate_blocked-images_0E9C2F1A"
    r = review(
        {"prod-ap-northeast-1": plan(rc(address, ["delete"], {"name": "acme-prod-blocked-images"}, None))}
    )
    assert not r.ok and [c.allow_key for c in r.blocked] == [f"prod-ap-northeast-1:{address}"]
    assert review(
        {"prod-ap-northeast-1": plan(rc(address, ["delete"], {"name": "t"}, None))},
        allowed=[f"prod-ap-northeast-1:{address}"],
    ).ok


def test_stateless_deletes_and_stateful_updates_pass():
    r = review(
        {
            "s": plan(
                rc("aws_ecr_lifecycle_policy.p", ["delete"], {"id": "1"}, None),
                rc("aws_s3_bucket.b", ["update"], {"tags": {}}, {"tags": {"a": "b"}}),
            )
        }
    )
    assert r.ok and not r.destructive


def test_allow_destroy_must_name_every_destructive_address():
    plans = {
        "dev-ap-northeast-1": plan(
            rc(BUCKET, ["delete"], {"bucket": "b"}, None), rc(REPO, ["delete", "create"], {}, {})
        )
    }
    partly = review(plans, allowed=[f"dev-ap-northeast-1:{BUCKET}"])
    assert not partly.ok and [c.address for c in partly.blocked] == [REPO]
    both = review(plans, allowed=[f"dev-ap-northeast-1:{BUCKET}", f"dev-ap-northeast-1:{REPO}"])
    assert both.ok
    assert both.markdown().startswith("# Plan review: PASS\n\n## ⚠️ ALLOWED DESTRUCTIVE CHANGES")
    other_stack = review(plans, allowed=[f"stg-ap-northeast-1:{BUCKET}", f"dev-ap-northeast-1:{REPO}"])
    assert not other_stack.ok
    assert other_stack.unused_allows == [f"stg-ap-northeast-1:{BUCKET}"]


def test_a_failed_plan_fails_the_review_and_shows_terraform_output():
    r = review({"a": plan()}, {"b": "`terraform plan` failed:\nError: Instance cannot be destroyed"})
    assert not r.ok
    text = r.markdown()
    assert text.startswith("# Plan review: FAIL\n\n## ⛔ PLANS THAT FAILED")
    assert "| b | plan failed | | | |" in text and "Error: Instance cannot be destroyed" in text
    assert "## a\n\nNo changes." in text


@pytest.mark.parametrize("bad", ["aws_s3_bucket.x", ":aws_s3_bucket.x", "dev-ap-northeast-1:bucket", ""])
def test_allow_destroy_needs_stack_and_address(bad):
    with pytest.raises(ValueError, match="expected <stack>:<terraform address>"):
        parse_allow(bad)


def test_allow_destroy_address_may_hold_an_index():
    assert parse_allow('s:aws_s3_bucket.x["a:b"]') == ("s", 'aws_s3_bucket.x["a:b"]')


PREVENT_DESTROY_OUTPUT = """Terraform planned the following actions, but then encountered a problem:

  # aws_ecr_repository.r must be replaced

Error: Instance cannot be destroyed

  on cdk.tf.json line 120, in resource.aws_ecr_repository:
 120:       "repo-prod-api_repository_BE2D686E": {

Resource aws_ecr_repository.repo-prod-api_repository_BE2D686E has
lifecycle.prevent_destroy set, but the plan calls for this resource to be
destroyed.
"""


REGISTRY_OUTPUT = """Initializing provider plugins...
- Finding hashicorp/aws versions matching ">= 5.100.0, < 7.0.0"...

Error: Failed to query available provider packages

Could not retrieve the list of available versions for provider
hashicorp/aws: could not connect to registry.terraform.io: failed to request
discovery document: dial tcp: lookup registry.terraform.io: no such host

To see which modules are currently depending on hashicorp/aws and what
versions are specified, run the following command:
    terraform providers
"""


def test_terraform_errors_are_summarized_in_the_loud_section():
    assert planreview.diagnostics(PREVENT_DESTROY_OUTPUT) == [
        "Error: Instance cannot be destroyed — Resource aws_ecr_repository.repo-prod-api_repository_BE2D686E "
        "has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed."
    ]
    assert planreview.diagnostics("Error: Failed to load plugin\n\nno such file") == [
        "Error: Failed to load plugin — no such file"
    ]
    assert planreview.diagnostics(REGISTRY_OUTPUT) == [
        "Error: Failed to query available provider packages — Could not retrieve the list of available "
        "versions for provider hashicorp/aws: could not connect to registry.terraform.io: failed to request "
        "discovery document: dial tcp: lookup registry.terraform.io: no such host"
    ]
    loud = review({}, {"prod-ap-northeast-1": PREVENT_DESTROY_OUTPUT}).markdown().partition("## Summary")[0]
    assert "  - Error: Instance cannot be destroyed — Resource aws_ecr_repository." in loud


def test_report_embeds_the_topology_diagrams_last():
    text = planreview.review(
        {}, diagrams={"prod": "flowchart LR\n  a --> b\n", "dev": "flowchart LR\n"}
    ).markdown()
    topology = text.partition("## Topology")[2]
    assert topology.index("### dev") < topology.index("### prod")
    assert "### prod\n\n```mermaid\nflowchart LR\n  a --> b\n```" in topology
