"""CodeArtifact rules enforced at load time: names, external connections, upstreams, the key."""

from __future__ import annotations

from core.models import CodeArtifactRepository
from core.rules import upstream_cycle
from tests.unit.helpers import edit, error_for, loads


def repos(d):
    return d["codeartifact"]["repositories"]


def store(d):
    return repos(d)[0]


def internal(d):
    return repos(d)[3]


def test_reference_config_defines_the_domain_in_prod_and_stg_only(config_dir):
    envs = {e.name: e for e in loads(config_dir).environments}
    assert envs["dev"].codeartifact is None
    for name in ("prod", "stg"):
        ca = envs[name].codeartifact
        assert ca is not None and ca.domain == "my-organization"
        assert [r.name for r in ca.repositories] == ["npm-store", "pypi-store", "maven-store", "my-packages"]
        assert ca.repositories[3].upstreams == ("npm-store", "pypi-store", "maven-store")


# --- names ----------------------------------------------------------------------------------------


def test_rejects_uppercase_domain_name(config_dir):
    edit(config_dir, "prod", lambda d: d["codeartifact"].update(domain="My-Org"))
    message = error_for(config_dir, "[CA-DOMAIN-NAME]")
    assert "codeartifact.domain: must be 2-50 lowercase letters" in message and "'My-Org'" in message


def test_rejects_domain_name_ending_with_dash_and_too_long(config_dir):
    edit(config_dir, "prod", lambda d: d["codeartifact"].update(domain="my-org-"))
    assert "'my-org-'" in error_for(config_dir, "[CA-DOMAIN-NAME]")
    edit(config_dir, "prod", lambda d: d["codeartifact"].update(domain="a" * 51))
    assert "must be at most 50 characters" in error_for(config_dir, "[CA-DOMAIN-NAME]")


def test_accepts_two_character_domain_name(config_dir):
    edit(config_dir, "prod", lambda d: d["codeartifact"].update(domain="a1"))
    [prod] = loads(config_dir).select(["prod"])
    assert prod.codeartifact is not None and prod.codeartifact.domain == "a1"


def test_rejects_bad_repository_names(config_dir):
    edit(config_dir, "prod", lambda d: store(d).update(name="-npm"))
    assert "repositories[0].name: must be 2-100 letters" in error_for(config_dir, "[CA-REPO-NAME]")
    edit(config_dir, "prod", lambda d: store(d).update(name="x" * 101))
    assert "must be at most 100 characters" in error_for(config_dir, "[CA-REPO-NAME]")


def test_accepts_mixed_case_repository_name_with_dots(config_dir):
    def change(d):
        store(d)["name"] = "Npm.Store_1"
        internal(d)["upstreams"][0] = "Npm.Store_1"

    edit(config_dir, "prod", change)
    [prod] = loads(config_dir).select(["prod"])
    assert prod.codeartifact is not None and prod.codeartifact.repositories[0].name == "Npm.Store_1"


def test_rejects_duplicate_repository(config_dir):
    edit(config_dir, "prod", lambda d: repos(d).append({"name": "npm-store"}))
    assert "repositories[4].name: must be unique in the domain" in error_for(config_dir, "[CA-REPO-DUP]")


# --- external connections -------------------------------------------------------------------------


def test_rejects_repository_with_two_external_connections(config_dir):
    edit(config_dir, "prod", lambda d: store(d).update(external_connections=["public:npmjs", "public:pypi"]))
    message = error_for(config_dir, "[CA-EXT-ONE]")
    assert (
        "codeartifact.repositories[0].external_connections: may hold at most one external connection"
        in message
    )
    assert "['public:npmjs', 'public:pypi']" in message


def test_rejects_unsupported_external_connection(config_dir):
    edit(config_dir, "prod", lambda d: store(d).update(external_connections=["public:npm"]))
    message = error_for(config_dir, "[CA-EXT-CONN]")
    assert "external_connections[0]: must be an external connection AWS supports" in message
    assert "public:crates-io" in message and "'public:npm'" in message


def test_accepts_every_supported_external_connection(config_dir):
    from core.types import CODEARTIFACT_EXTERNAL_CONNECTIONS

    def change(d):
        for i, name in enumerate(CODEARTIFACT_EXTERNAL_CONNECTIONS):
            repos(d).append({"name": f"store-{i}", "external_connections": [name]})

    edit(config_dir, "prod", change)
    [prod] = loads(config_dir).select(["prod"])
    assert prod.codeartifact is not None and len(prod.codeartifact.repositories) == 14


def test_warns_on_external_connection_with_upstreams(config_dir):
    edit(config_dir, "prod", lambda d: store(d).update(upstreams=["pypi-store"]))
    [warning] = [w for w in loads(config_dir).warnings if w.rule == "CA-EXT-AND-UPSTREAM"]
    assert "repositories[0].upstreams" in warning.render()


# --- upstreams ------------------------------------------------------------------------------------


def test_rejects_more_than_ten_upstreams(config_dir):
    def change(d):
        for i in range(11):
            repos(d).append({"name": f"extra-{i}"})
        internal(d)["upstreams"] = [f"extra-{i}" for i in range(11)]

    edit(config_dir, "prod", change)
    message = error_for(config_dir, "[CA-UPSTREAM-MAX]")
    assert (
        "repositories[3].upstreams: may list at most 10 direct upstream repositories (a fixed CodeArtifact quota), got 11"
        in message
    )


def test_accepts_ten_upstreams(config_dir):
    def change(d):
        for i in range(7):
            repos(d).append({"name": f"extra-{i}"})
        internal(d)["upstreams"] += [f"extra-{i}" for i in range(7)]

    edit(config_dir, "prod", change)
    [prod] = loads(config_dir).select(["prod"])
    assert prod.codeartifact is not None and len(prod.codeartifact.repositories[3].upstreams) == 10


def test_rejects_upstream_listed_twice(config_dir):
    edit(config_dir, "prod", lambda d: internal(d)["upstreams"].append("npm-store"))
    assert "upstreams[3]: must list each upstream once" in error_for(config_dir, "[CA-UPSTREAM-MAX]")


def test_rejects_upstream_outside_the_domain(config_dir):
    edit(config_dir, "prod", lambda d: internal(d)["upstreams"].append("nuget-store"))
    message = error_for(config_dir, "[CA-UPSTREAM-EXISTS]")
    assert "repositories[3].upstreams[3]: must name a repository defined in this domain" in message
    assert "'nuget-store'" in message


def test_rejects_upstream_cycle(config_dir):
    edit(config_dir, "prod", lambda d: repos(d)[2].update(upstreams=["my-packages"]))
    message = error_for(config_dir, "[CA-UPSTREAM-CYCLE]")
    assert "must not form an upstream cycle: maven-store -> my-packages -> maven-store" in message


def test_rejects_repository_that_is_its_own_upstream(config_dir):
    edit(config_dir, "prod", lambda d: internal(d)["upstreams"].append("my-packages"))
    assert "my-packages -> my-packages" in error_for(config_dir, "[CA-UPSTREAM-CYCLE]")


def test_cycle_finder_accepts_a_diamond():
    repos_ = [
        CodeArtifactRepository(name="top", upstreams=("left", "right")),
        CodeArtifactRepository(name="left", upstreams=("base",)),
        CodeArtifactRepository(name="right", upstreams=("base",)),
        CodeArtifactRepository(name="base"),
    ]
    assert upstream_cycle(repos_) is None


# --- the domain's key -----------------------------------------------------------------------------


def test_rejects_key_alias(config_dir):
    edit(config_dir, "prod", lambda d: d["codeartifact"].update(encryption_key_arn="alias/codeartifact"))
    message = error_for(config_dir, "[CA-KEY-ARN]")
    assert "codeartifact.encryption_key_arn: must be a KMS key ARN" in message
    assert "an alias" in message and "forces the domain to be replaced" in message


def test_rejects_bare_key_id(config_dir):
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    edit(config_dir, "prod", lambda d: d["codeartifact"].update(encryption_key_arn=key_id))
    assert "(a key ID:" in error_for(config_dir, "[CA-KEY-ARN]")


def test_rejects_key_in_another_region(config_dir):
    arn = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    edit(config_dir, "prod", lambda d: d["codeartifact"].update(encryption_key_arn=arn))
    assert "domain's region ap-northeast-1" in error_for(config_dir, "[CA-KEY-ARN]")


def test_accepts_key_arn(config_dir):
    arn = "arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    edit(config_dir, "prod", lambda d: d["codeartifact"].update(encryption_key_arn=arn))
    [prod] = loads(config_dir).select(["prod"])
    assert prod.codeartifact is not None and prod.codeartifact.encryption_key_arn == arn


# --- across environments --------------------------------------------------------------------------


def test_rejects_same_domain_twice_in_one_account_and_region(config_dir):
    edit(config_dir, "stg", lambda d: d.update(account_id="123456789012", deploy_role_arn=None))
    assert "is already defined in account 123456789012" in error_for(config_dir, "[CA-DOMAIN-DUP]")


def test_rejects_unknown_key_in_codeartifact(config_dir):
    edit(config_dir, "prod", lambda d: internal(d).update(upstream=["npm-store"]))
    message = error_for(config_dir, "[CFG-UNKNOWN-KEY]")
    assert "unknown key 'upstream'" in message and "upstreams" in message
