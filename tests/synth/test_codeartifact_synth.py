"""The synthesized CodeArtifact domain, repositories, policies and outputs."""

from __future__ import annotations

import json

import pytest

from tests.conftest import one, resources

PROD = "prod-ap-northeast-1"
HOST = "my-organization-123456789012.d.codeartifact.ap-northeast-1.amazonaws.com"


def _ref(value: str, rtype: str, attribute: str) -> bool:
    return value.startswith(f"${{{rtype}.") and value.endswith(f".{attribute}}}")


def test_domain_only_where_configured_and_only_in_the_primary_region(stacks):
    assert resources(stacks["dev-ap-northeast-1"], "aws_codeartifact_domain") == []
    assert resources(stacks["prod-us-west-2"], "aws_codeartifact_domain") == []
    for name in (PROD, "stg-ap-northeast-1"):
        one(stacks[name], "aws_codeartifact_domain", domain="my-organization")


def test_domain_is_encrypted_with_the_stacks_customer_managed_key_arn(stacks):
    domain = one(stacks[PROD], "aws_codeartifact_domain")
    assert _ref(domain["encryption_key"], "aws_kms_key", "arn")
    key_id = domain["encryption_key"].split(".")[1]
    key = stacks[PROD]["resource"]["aws_kms_key"][key_id]
    assert key["enable_key_rotation"] is True
    assert key["description"] == "CodeArtifact domain my-organization of prod"
    one(stacks[PROD], "aws_kms_alias", name="alias/acme-prod-codeartifact")


def test_repositories_reference_the_domain_by_token(stacks):
    repos = resources(stacks[PROD], "aws_codeartifact_repository")
    assert sorted(r["repository"] for r in repos) == ["maven-store", "my-packages", "npm-store", "pypi-store"]
    for repo in repos:
        assert _ref(repo["domain"], "aws_codeartifact_domain", "domain")
        assert _ref(repo["domain_owner"], "aws_codeartifact_domain", "owner")


def test_stores_have_exactly_one_external_connection(stacks):
    expected = {
        "npm-store": "public:npmjs",
        "pypi-store": "public:pypi",
        "maven-store": "public:maven-central",
    }
    for name, connection in expected.items():
        store = one(stacks[PROD], "aws_codeartifact_repository", repository=name)
        assert store["external_connections"] == {"external_connection_name": connection}
        assert "upstream" not in store


def test_internal_repository_lists_upstreams_in_order_by_reference(stacks):
    stack = stacks[PROD]
    internal = one(stack, "aws_codeartifact_repository", repository="my-packages")
    assert "external_connections" not in internal
    ids = {body["repository"]: rid for rid, body in stack["resource"]["aws_codeartifact_repository"].items()}
    assert internal["upstream"] == [
        {"repository_name": f"${{aws_codeartifact_repository.{ids[name]}.repository}}"}
        for name in ("npm-store", "pypi-store", "maven-store")
    ]


def test_domain_policy_lets_the_environments_accounts_read(stacks):
    policy = one(stacks[PROD], "aws_codeartifact_domain_permissions_policy")
    assert _ref(policy["domain"], "aws_codeartifact_domain", "domain")
    [st] = json.loads(policy["policy_document"])["Statement"]
    assert st["Principal"] == {"AWS": ["arn:aws:iam::123456789012:root", "arn:aws:iam::333333333333:root"]}
    assert "codeartifact:GetAuthorizationToken" in st["Action"]
    stg = one(stacks["stg-ap-northeast-1"], "aws_codeartifact_domain_permissions_policy")
    assert json.loads(stg["policy_document"])["Statement"][0]["Principal"] == {
        "AWS": "arn:aws:iam::222222222222:root"
    }


def test_ci_role_publishes_to_the_internal_repository_only(stacks):
    stack = stacks[PROD]
    ids = {body["repository"]: rid for rid, body in stack["resource"]["aws_codeartifact_repository"].items()}
    bodies = resources(stack, "aws_codeartifact_repository_permissions_policy")
    policies = {p["repository"]: json.loads(p["policy_document"]) for p in bodies}
    assert set(policies) == set(ids)  # the name, ordered after its repository by depends_on:
    assert sorted(d for p in bodies for d in p["depends_on"]) == sorted(
        f"aws_codeartifact_repository.{rid}" for rid in ids.values()
    )
    internal = policies["my-packages"]
    publish = [s for s in internal["Statement"] if s["Sid"] == "Publish"]
    assert publish[0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:role/ci-publisher"}
    store = policies["npm-store"]
    assert [s["Sid"] for s in store["Statement"]] == ["Read"]


def test_outputs_domain_arn_owner_and_offline_endpoints(stacks):
    outputs = stacks[PROD]["output"]
    assert _ref(outputs["codeartifact_domain_arn"]["value"], "aws_codeartifact_domain", "arn")
    assert _ref(outputs["codeartifact_domain_owner"]["value"], "aws_codeartifact_domain", "owner")
    assert outputs["codeartifact_repository_endpoints"]["value"]["my-packages"] == {
        "npm": f"https://{HOST}/npm/my-packages/",
        "pypi": f"https://{HOST}/pypi/my-packages/simple/",
        "maven": f"https://{HOST}/maven/my-packages/",
    }
    # a store serves its external connection's format only
    assert outputs["codeartifact_repository_endpoints"]["value"]["npm-store"] == {
        "npm": f"https://{HOST}/npm/npm-store/"
    }
    assert list(outputs["codeartifact_repository_endpoints"]["value"]["pypi-store"]) == ["pypi"]
    assert "data" not in stacks[PROD]  # no data source: an offline plan keeps working
    assert "codeartifact_domain_arn" not in stacks["prod-us-west-2"]["output"]
    assert "codeartifact_domain_arn" not in stacks["dev-ap-northeast-1"]["output"]


def test_module_refuses_a_literal_domain_name_or_key_alias():
    from modules.codeartifact import require_key_arn, require_reference

    with pytest.raises(ValueError, match=r"CA-DOMAIN-REF"):
        require_reference("my-organization", "a repository's domain")
    with pytest.raises(ValueError, match=r"CA-KEY-ARN"):
        require_key_arn("alias/codeartifact")
    arn = "arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert require_key_arn(arn) == arn
