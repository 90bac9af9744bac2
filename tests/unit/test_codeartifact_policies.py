"""CodeArtifact permissions policies: pure dicts, no cdktf."""

from __future__ import annotations

import pytest

from core.models import CodeArtifactAccess
from policies.codeartifact import (
    REPOSITORY_PUBLISH_ACTIONS,
    domain_read_policy,
    repository_policy,
)

CI = "arn:aws:iam::123456789012:role/ci-publisher"


def test_domain_policy_lets_accounts_get_tokens():
    doc = domain_read_policy(CodeArtifactAccess(account_ids=("123456789012", "333333333333")))
    [st] = doc["Statement"]
    assert st["Principal"] == {"AWS": ["arn:aws:iam::123456789012:root", "arn:aws:iam::333333333333:root"]}
    assert "codeartifact:GetAuthorizationToken" in st["Action"]
    assert "sts:GetServiceBearerToken" in st["Action"]
    assert st["Resource"] == "*"


def test_domain_policy_for_an_organization_uses_principal_org_id():
    doc = domain_read_policy(CodeArtifactAccess(organization_id="o-a1b2c3d4e5"))
    [st] = doc["Statement"]
    assert st["Principal"] == {"AWS": "*"}
    assert st["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}


def test_domain_policy_refuses_no_principal():
    with pytest.raises(ValueError, match="at least one principal"):
        domain_read_policy(CodeArtifactAccess())


def test_repository_policy_separates_readers_and_publishers():
    read = CodeArtifactAccess(
        account_ids=("123456789012",), role_arns=("arn:aws:iam::123456789012:role/dev",)
    )
    doc = repository_policy(read, [CI])
    reader, publisher = doc["Statement"]
    assert reader["Sid"] == "Read"
    assert reader["Principal"] == {
        "AWS": ["arn:aws:iam::123456789012:role/dev", "arn:aws:iam::123456789012:root"]
    }
    assert "codeartifact:ReadFromRepository" in reader["Action"]
    assert not set(REPOSITORY_PUBLISH_ACTIONS) & set(reader["Action"])
    assert publisher["Principal"] == {"AWS": CI}
    assert {"codeartifact:PublishPackageVersion", "codeartifact:PutPackageMetadata"} <= set(
        publisher["Action"]
    )
    assert "codeartifact:ReadFromRepository" in publisher["Action"]


def test_repository_policy_with_publishers_only():
    doc = repository_policy(CodeArtifactAccess(), [CI, CI])
    [publisher] = doc["Statement"]
    assert publisher["Principal"] == {"AWS": CI}


def test_repository_policy_refuses_no_principal():
    with pytest.raises(ValueError):
        repository_policy(CodeArtifactAccess(), [])


def test_policies_hold_no_null():
    from policies.ecr import find_nulls

    doc = repository_policy(CodeArtifactAccess(organization_id="o-a1b2c3d4e5"), [CI])
    assert find_nulls(doc) == []
