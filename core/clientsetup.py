"""Client set-up for a CodeArtifact repository, computed from the validated config alone.

No AWS call: endpoints follow the documented pattern
`https://<domain>-<owner>.d.codeartifact.<region>.amazonaws.com/<format>/<repository>/`
(https://docs.aws.amazon.com/codeartifact/latest/APIReference/API_GetRepositoryEndpoint.html).
Nothing here writes a token: every snippet reads `CODEARTIFACT_AUTH_TOKEN` from the environment.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.models import CodeArtifact, Environment
from core.types import CODEARTIFACT_EXTERNAL_CONNECTIONS

TOKEN_VARIABLE = "CODEARTIFACT_AUTH_TOKEN"
TOOLS = ("npm", "pip", "maven", "nuget", "buildspec")
FORMATS = ("npm", "pypi", "maven")  # what an internal repository without upstreams is set up for
TOOL_FORMAT = {"npm": "npm", "pip": "pypi", "maven": "maven", "nuget": "nuget"}  # buildspec: any
NUGET_SOURCE = "codeartifact"  # the package source's name in nuget.config and in its credentials variable
# NuGet reads a source's credentials from NuGetPackageSourceCredentials_<source> before nuget.config
NUGET_CREDENTIALS = (
    f'export NuGetPackageSourceCredentials_{NUGET_SOURCE}="Username=aws;Password=${{{TOKEN_VARIABLE}}}"'
)


@dataclass(frozen=True)
class Target:
    """One repository of one environment's domain."""

    domain: str
    owner: str
    region: str
    repository: str

    @property
    def host(self) -> str:
        return f"{self.domain}-{self.owner}.d.codeartifact.{self.region}.amazonaws.com"

    def endpoint(self, fmt: str) -> str:
        return f"https://{self.host}/{fmt}/{self.repository}/"

    @property
    def nuget_index(self) -> str:
        """The NuGet v3 service index (CodeArtifact speaks only v3)."""
        return self.endpoint("nuget") + "v3/index.json"

    @property
    def pip_index(self) -> str:
        """The index pip reads: the PyPI endpoint's `simple/` page."""
        return self.endpoint("pypi") + "simple/"

    @property
    def common_args(self) -> str:
        return (
            f"--domain {self.domain} --domain-owner {self.owner} --repository {self.repository} "
            f"--region {self.region}"
        )

    @property
    def token_command(self) -> str:
        return (
            f"aws codeartifact get-authorization-token --domain {self.domain} --domain-owner "
            f"{self.owner} --region {self.region} --query authorizationToken --output text"
        )


def target(env: Environment, repository: str) -> Target:
    assert env.codeartifact is not None
    return Target(env.codeartifact.domain, env.account_id, env.primary_region, repository)


def formats(settings: CodeArtifact, repository: str) -> tuple[str, ...]:
    """The package formats a repository serves: a store's is its external connection's; an
    internal repository serves its upstreams' formats, or every common one when it has none (it
    can hold packages of any format)."""
    by_name = {r.name: r for r in settings.repositories}
    found: list[str] = []
    todo, seen = [repository], set()
    while todo:
        repo = by_name[todo.pop(0)]
        if repo.name in seen:
            continue
        seen.add(repo.name)
        found += [CODEARTIFACT_EXTERNAL_CONNECTIONS[c] for c in repo.external_connections]
        todo += list(repo.upstreams)
    return tuple(dict.fromkeys(found)) or FORMATS


def endpoints(t: Target, served: tuple[str, ...] = FORMATS) -> dict[str, str]:
    """Package format -> URL a client uses (pip's `simple/` index for pypi)."""
    return {fmt: t.pip_index if fmt == "pypi" else t.endpoint(fmt) for fmt in served}


def npm(t: Target) -> str:
    url = t.endpoint("npm")
    return f"""# npm: either log in (writes a 12-hour token to ~/.npmrc via the AWS CLI)
aws codeartifact login --tool npm {t.common_args}

# or commit this .npmrc (no token in it; export the token first):
#   export {TOKEN_VARIABLE}=$({t.token_command})
registry={url}
//{url.removeprefix("https://")}:_authToken=${{{TOKEN_VARIABLE}}}
"""


def pip(t: Target) -> str:
    index = t.pip_index
    return f"""# pip: either log in (writes a 12-hour token to pip.conf via the AWS CLI)
aws codeartifact login --tool pip {t.common_args}

# or, without a token on disk: pip does not expand variables in pip.conf, so the
# credentialed URL goes in PIP_INDEX_URL (it overrides pip.conf) and pip.conf keeps the plain one.
#   export {TOKEN_VARIABLE}=$({t.token_command})
#   export PIP_INDEX_URL="https://aws:${{{TOKEN_VARIABLE}}}@{index.removeprefix("https://")}"
# pip.conf
[global]
index-url = {index}
"""


def maven(t: Target) -> str:
    server_id = f"{t.domain}-{t.repository}"
    return f"""<!-- ~/.m2/settings.xml: Maven reads the token from the {TOKEN_VARIABLE} environment
     variable; export it as the npm and buildspec output show (get-authorization-token). -->
<settings>
  <servers>
    <server>
      <id>{server_id}</id>
      <username>aws</username>
      <password>${{env.{TOKEN_VARIABLE}}}</password>
    </server>
  </servers>
  <profiles>
    <profile>
      <id>{server_id}</id>
      <repositories>
        <repository>
          <id>{server_id}</id>
          <url>{t.endpoint("maven")}</url>
        </repository>
      </repositories>
    </profile>
  </profiles>
  <activeProfiles>
    <activeProfile>{server_id}</activeProfile>
  </activeProfiles>
</settings>
"""


def nuget(t: Target) -> str:
    return f"""# NuGet / dotnet: either log in (writes a 12-hour token to the NuGet configuration via the AWS CLI)
aws codeartifact login --tool dotnet {t.common_args}

# or commit this nuget.config (no token in it); NuGet reads the credentials from the environment:
#   export {TOKEN_VARIABLE}=$({t.token_command})
#   {NUGET_CREDENTIALS}
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="{NUGET_SOURCE}" value="{t.nuget_index}" protocolVersion="3" />
  </packageSources>
</configuration>
"""


def other(t: Target, fmt: str) -> str:
    """A format without a snippet here (cargo, ruby, ...): its endpoint and the token."""
    return f"""# {fmt}: endpoint {t.endpoint(fmt)}
# authenticate with the token: export {TOKEN_VARIABLE}=$({t.token_command})
# client set-up: https://docs.aws.amazon.com/codeartifact/latest/ug/using-{fmt}.html
"""


def buildspec(t: Target, served: tuple[str, ...] = FORMATS) -> str:
    exports = []
    if "pypi" in served:
        exports.append(
            f'export PIP_INDEX_URL="https://aws:${{{TOKEN_VARIABLE}}}@{t.pip_index.removeprefix("https://")}"'
        )
    if "npm" in served:
        exports.append(f'export NPM_CONFIG_REGISTRY="{t.endpoint("npm")}"')
    if "nuget" in served:
        exports.append(NUGET_CREDENTIALS)
    readers = {
        "npm": "npm through the .npmrc",
        "maven": "Maven through settings.xml",
        "pypi": "pip through PIP_INDEX_URL",
        "nuget": "NuGet through its credentials variable",
    }
    read = ", ".join(readers[f] for f in served if f in readers) or "the client through the endpoint above"
    lines = "".join(f"      - {e}\n" for e in exports)
    return f"""# buildspec.yml (CodeBuild): the token lives only in the build's environment; the
# project role needs codeartifact:GetAuthorizationToken and sts:GetServiceBearerToken.
# It is read by {read}.
version: 0.2
phases:
  pre_build:
    commands:
      - export {TOKEN_VARIABLE}=$({t.token_command})
{lines}"""


BUILDERS = {"npm": npm, "pip": pip, "maven": maven, "nuget": nuget}


def tools_for(served: tuple[str, ...]) -> tuple[str, ...]:
    """The `--tool` values that set up a repository serving `served` formats."""
    return (*(tool for tool, fmt in TOOL_FORMAT.items() if fmt in served), "buildspec")


def render(t: Target, tool: str, served: tuple[str, ...] = FORMATS) -> str:
    """The set-up text for one tool, or (`all`) for every format the repository serves."""
    if tool == "buildspec":
        return buildspec(t, served)
    if tool != "all":
        return BUILDERS[tool](t)
    parts = [BUILDERS[name](t) for name in tools_for(served) if name in BUILDERS]
    parts += [other(t, fmt) for fmt in served if fmt not in TOOL_FORMAT.values()]
    return "\n".join([*parts, buildspec(t, served)])
