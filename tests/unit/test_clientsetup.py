"""Client set-up text per tool, computed from the config alone; no token is ever written in it."""

from __future__ import annotations

import configparser
import xml.etree.ElementTree as ET

import pytest
import yaml

from core import clientsetup
from core.clientsetup import Target

T = Target("my-organization", "123456789012", "ap-northeast-1", "my-packages")
HOST = "my-organization-123456789012.d.codeartifact.ap-northeast-1.amazonaws.com"
LOGIN_ARGS = (
    "--domain my-organization --domain-owner 123456789012 --repository my-packages --region ap-northeast-1"
)


def test_endpoints_follow_the_documented_pattern():
    assert clientsetup.endpoints(T) == {
        "npm": f"https://{HOST}/npm/my-packages/",
        "pypi": f"https://{HOST}/pypi/my-packages/simple/",
        "maven": f"https://{HOST}/maven/my-packages/",
    }


def test_npm_login_and_npmrc_reading_the_token_from_the_environment():
    text = clientsetup.npm(T)
    assert f"aws codeartifact login --tool npm {LOGIN_ARGS}" in text
    npmrc = [line for line in text.splitlines() if line and not line.startswith(("#", "aws "))]
    assert npmrc == [
        f"registry=https://{HOST}/npm/my-packages/",
        f"//{HOST}/npm/my-packages/:_authToken=${{CODEARTIFACT_AUTH_TOKEN}}",
    ]


def test_pip_login_and_pip_conf_without_a_token():
    text = clientsetup.pip(T)
    assert f"aws codeartifact login --tool pip {LOGIN_ARGS}" in text
    conf = configparser.ConfigParser()
    conf.read_string(text[text.index("[global]") :])
    assert conf["global"]["index-url"] == f"https://{HOST}/pypi/my-packages/simple/"
    assert f'PIP_INDEX_URL="https://aws:${{CODEARTIFACT_AUTH_TOKEN}}@{HOST}/pypi/my-packages/simple/"' in text


def test_maven_settings_server_and_repository_share_an_id():
    root = ET.fromstring(clientsetup.maven(T))
    server = root.find("servers/server")
    repo = root.find("profiles/profile/repositories/repository")
    assert server is not None and repo is not None
    assert server.findtext("id") == repo.findtext("id") == "my-organization-my-packages"
    assert server.findtext("username") == "aws"
    assert server.findtext("password") == "${env.CODEARTIFACT_AUTH_TOKEN}"
    assert repo.findtext("url") == f"https://{HOST}/maven/my-packages/"
    assert root.findtext("activeProfiles/activeProfile") == "my-organization-my-packages"


def test_buildspec_pre_build_fetches_the_token():
    spec = yaml.safe_load(clientsetup.buildspec(T))
    assert spec["version"] == 0.2
    commands = spec["phases"]["pre_build"]["commands"]
    assert commands[0] == (
        "export CODEARTIFACT_AUTH_TOKEN=$(aws codeartifact get-authorization-token --domain my-organization "
        "--domain-owner 123456789012 --region ap-northeast-1 --query authorizationToken --output text)"
    )
    assert any(
        c.startswith('export PIP_INDEX_URL="https://aws:${CODEARTIFACT_AUTH_TOKEN}@') for c in commands
    )


@pytest.mark.parametrize("tool", [*clientsetup.TOOLS, "all"])
def test_snippets_read_the_token_from_the_environment_and_write_no_file(tool):
    text = clientsetup.render(T, tool)
    assert "CODEARTIFACT_AUTH_TOKEN" in text
    assert " > " not in text and ">>" not in text and "tee " not in text


def test_all_concatenates_the_tools_of_the_formats_served():
    text = clientsetup.render(T, "all")  # an internal repository without upstreams: npm, pypi, maven
    for tool in ("npm", "pip", "maven"):
        assert clientsetup.BUILDERS[tool](T) in text
    assert clientsetup.buildspec(T) in text and "nuget" not in text.lower()
    assert clientsetup.render(T, "all", ("npm",)) == clientsetup.npm(T) + "\n" + clientsetup.buildspec(
        T, ("npm",)
    )


def test_nuget_config_names_the_v3_index_and_reads_credentials_from_the_environment():
    text = clientsetup.nuget(T)
    assert f"aws codeartifact login --tool dotnet {LOGIN_ARGS}" in text
    root = ET.fromstring(text[text.index("<?xml") :].encode())
    [source] = root.findall("packageSources/add")
    assert source.attrib == {
        "key": "codeartifact",
        "value": f"https://{HOST}/nuget/my-packages/v3/index.json",
        "protocolVersion": "3",
    }
    assert (
        '#   export NuGetPackageSourceCredentials_codeartifact="Username=aws;Password=${CODEARTIFACT_AUTH_TOKEN}"'
        in text
    )
    commands = yaml.safe_load(clientsetup.buildspec(T, ("nuget",)))["phases"]["pre_build"]["commands"]
    assert commands[1:] == [
        'export NuGetPackageSourceCredentials_codeartifact="Username=aws;Password=${CODEARTIFACT_AUTH_TOKEN}"'
    ]


def test_a_format_without_a_snippet_gets_its_endpoint_and_the_token():
    text = clientsetup.render(T, "all", ("cargo",))
    assert f"# cargo: endpoint https://{HOST}/cargo/my-packages/" in text
    assert "https://docs.aws.amazon.com/codeartifact/latest/ug/using-cargo.html" in text
    commands = yaml.safe_load(text[text.index("version: 0.2") :])["phases"]["pre_build"]["commands"]
    assert len(commands) == 1 and commands[0].startswith("export CODEARTIFACT_AUTH_TOKEN=$(")


def test_formats_follow_external_connections_and_upstreams(project):
    [prod] = project.select(["prod"])
    settings = prod.codeartifact
    assert clientsetup.formats(settings, "npm-store") == ("npm",)
    assert clientsetup.formats(settings, "maven-store") == ("maven",)
    assert set(clientsetup.formats(settings, "my-packages")) == {"npm", "pypi", "maven"}
    alone = settings.model_copy(
        update={
            "repositories": (
                *settings.repositories,
                settings.repositories[-1].model_copy(
                    update={
                        "name": "nuget-store",
                        "upstreams": (),
                        "external_connections": ("public:nuget-org",),
                    }
                ),
            )
        }
    )
    assert clientsetup.formats(alone, "nuget-store") == ("nuget",)
    assert clientsetup.endpoints(T, ("nuget",)) == {"nuget": f"https://{HOST}/nuget/my-packages/"}
