"""Run the real Terraform CLI on synthesized stacks: init, validate, and an offline plan.

Used by the test suite (and by plan review in offline mode). The AWS provider comes from a local
filesystem mirror when one is found, else from the registry as usual:

* `ARTIFACT_PLATFORM_TF_MIRROR=<dir>` names the mirror (a folder holding
  `registry.terraform.io/hashicorp/aws/<version>/<os_arch>/`);
* otherwise Terraform's implied local mirror folders, then `/opt/*/`, are searched for one.

An *offline* copy of a stack keeps every resource but swaps the provider's credentials for fake
ones with the provider's `skip_*` flags, drops `assume_role` and `allowed_account_ids` (both need
STS), and drops the remote backend (state goes to the work folder).
"""

from __future__ import annotations

import copy
import glob
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIRROR_VARIABLE = "ARTIFACT_PLATFORM_TF_MIRROR"
PROVIDER_DIR = Path("registry.terraform.io") / "hashicorp" / "aws"

OFFLINE_PROVIDER_SETTINGS = {
    "access_key": "AKIAOFFLINEPLANFAKE00",
    "secret_key": "offline-plan-fake-secret",
    "skip_credentials_validation": True,
    "skip_requesting_account_id": True,
    "skip_metadata_api_check": True,
    "skip_region_validation": True,
}


def _implied_mirror_dirs() -> list[Path]:
    # https://developer.hashicorp.com/terraform/cli/config/config-file#implied-local-mirror-directories
    home = Path.home()
    data_dirs = os.environ.get("XDG_DATA_DIRS", "/usr/local/share:/usr/share").split(":")
    dirs = [home / ".terraform.d" / "plugins", home / ".local" / "share" / "terraform" / "plugins"]
    dirs += [Path(d) / "terraform" / "plugins" for d in data_dirs if d]
    return dirs


def _has_aws(mirror: Path) -> bool:
    return any((mirror / PROVIDER_DIR).glob("*/*/terraform-provider-aws*"))


def find_provider_mirror() -> Path | None:
    """The local filesystem mirror holding the AWS provider, if any (see module docstring)."""
    named = os.environ.get(MIRROR_VARIABLE)
    if named:
        return Path(named) if _has_aws(Path(named)) else None
    for candidate in _implied_mirror_dirs():
        if _has_aws(candidate):
            return candidate
    for hit in sorted(glob.glob(f"/opt/*/{PROVIDER_DIR}")):
        mirror = Path(hit).parent.parent.parent
        if _has_aws(mirror):
            return mirror
    return None


def mirrored_versions(mirror: Path) -> list[str]:
    return sorted(p.name for p in (mirror / PROVIDER_DIR).iterdir() if p.is_dir())


def cli_config(workdir: Path, mirror: Path | None) -> dict[str, str]:
    """Environment for terraform: a CLI config using `mirror` (when given), no prompts, no color."""
    env = dict(os.environ)
    env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"})
    # Terraform and the AWS provider spend much of a plan collecting garbage while decoding the
    # provider schema: a lazier collector cuts their CPU time by about a quarter (~40 MB more).
    env.setdefault("GOGC", "400")
    rc = workdir / "terraformrc"
    lines = []
    if mirror is not None:
        lines += [
            "provider_installation {",
            "  filesystem_mirror {",
            f"    path    = {json.dumps(str(mirror))}",
            '    include = ["registry.terraform.io/hashicorp/*"]',
            "  }",
            '  direct { exclude = ["registry.terraform.io/hashicorp/*"] }',
            "}",
        ]
    rc.write_text("\n".join(lines) + "\n")
    env["TF_CLI_CONFIG_FILE"] = str(rc)
    return env


def offline_copy(stack: dict[str, Any]) -> dict[str, Any]:
    """The stack with fake credentials and no remote backend, for `plan` without AWS."""
    out = copy.deepcopy(stack)
    for provider in out.get("provider", {}).get("aws", []):
        provider.pop("assume_role", None)
        provider.pop("allowed_account_ids", None)
        provider.update(OFFLINE_PROVIDER_SETTINGS)
    out.get("terraform", {}).pop("backend", None)
    return out


@dataclass(frozen=True)
class Result:
    command: str
    returncode: int
    output: str  # stdout and stderr, for reports
    stdout: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def terraform_binary() -> str:
    found = shutil.which("terraform")
    if not found:
        raise FileNotFoundError(
            "terraform is not on PATH; install Terraform >= 1.10 (see README, 'Requirements')"
        )
    return found


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> Result:
    proc = subprocess.run(
        [terraform_binary(), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(" ".join(["terraform", *args]), proc.returncode, proc.stdout + proc.stderr, proc.stdout)


@dataclass(frozen=True)
class StackCheck:
    stack: str
    init: Result
    validate: Result | None
    plan: Result | None
    plan_json: dict[str, Any] | None

    @property
    def ok(self) -> bool:
        return all(r is not None and r.ok for r in (self.init, self.validate, self.plan))

    def report(self) -> str:
        failed = next((r for r in (self.init, self.validate, self.plan) if r is None or not r.ok), None)
        if failed is None:
            return f"{self.stack}: ok"
        return f"{self.stack}: `{failed.command}` failed:\n{failed.output}"


def check_stack(
    stack_name: str, stack_json: dict[str, Any], workdir: Path, mirror: Path | None
) -> StackCheck:
    """`init -backend=false`, `validate`, then an offline `plan` (saved, and shown as JSON)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "cdk.tf.json").write_text(json.dumps(offline_copy(stack_json), indent=2))
    env = cli_config(workdir, mirror)
    init = run(["init", "-backend=false", "-no-color", "-input=false"], workdir, env)
    if not init.ok:
        return StackCheck(stack_name, init, None, None, None)
    validate = run(["validate", "-no-color"], workdir, env)
    if not validate.ok:
        return StackCheck(stack_name, init, validate, None, None)
    plan = run(["plan", "-no-color", "-input=false", "-lock=false", "-out=plan.bin"], workdir, env)
    if not plan.ok:
        return StackCheck(stack_name, init, validate, plan, None)
    shown = run(["show", "-json", "plan.bin"], workdir, env)
    return StackCheck(stack_name, init, validate, plan, json.loads(shown.stdout) if shown.ok else None)


# --- plan review -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewPlan:
    """One stack planned for review: the saved plan's JSON, or the output of what failed."""

    stack: str
    plan_json: dict[str, Any] | None
    error: str | None
    seconds: float


def _offline_stack(stack_json: dict[str, Any], stack_dir: Path) -> dict[str, Any]:
    """`offline_copy`, keeping a local backend's state (made absolute) so a plan sees it."""
    out = offline_copy(stack_json)
    local = stack_json.get("terraform", {}).get("backend", {}).get("local")
    if local and local.get("path"):
        path = (stack_dir / local["path"]).resolve()
        out["terraform"]["backend"] = {"local": {"path": str(path)}}
    return out


def _online_env() -> dict[str, str]:
    env = dict(os.environ)  # the user's own CLI config and credentials (HCP Terraform tokens)
    env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0"})
    return env


def plan_for_review(stack: str, stack_dir: Path, plans_dir: Path, *, offline: bool) -> ReviewPlan:
    """`init`, `plan -out=<plans_dir>/<stack>.tfplan`, then `show -json` into `<stack>.json`.

    Online: in the synthesized stack folder, against the stack's real backend and credentials.
    Offline: in a scratch copy with fake credentials, the provider mirror and no refresh (the
    state of a local backend is still read), as the test suite plans.
    """
    import tempfile
    import time

    start = time.monotonic()
    tfplan = (plans_dir / f"{stack}.tfplan").resolve()
    with tempfile.TemporaryDirectory(prefix=f"plan-{stack}-") as scratch:
        if offline:
            workdir = Path(scratch)
            body = json.loads((stack_dir / "cdk.tf.json").read_text())
            (workdir / "cdk.tf.json").write_text(json.dumps(_offline_stack(body, stack_dir), indent=2))
            env = cli_config(workdir, find_provider_mirror())
            plan_args = ["-refresh=false", "-lock=false"]
        else:
            workdir, env, plan_args = stack_dir, _online_env(), ["-lock-timeout=5m"]
        steps = [
            ["init", "-no-color", "-input=false"],
            ["plan", "-no-color", "-input=false", *plan_args, f"-out={tfplan}"],
            ["show", "-no-color", "-json", str(tfplan)],
        ]
        result = None
        for args in steps:
            result = run(args, workdir, env)
            if not result.ok:
                return ReviewPlan(
                    stack, None, f"`{result.command}` failed:\n{result.output}", time.monotonic() - start
                )
    assert result is not None
    (plans_dir / f"{stack}.json").write_text(result.stdout)
    return ReviewPlan(stack, json.loads(result.stdout), None, time.monotonic() - start)


# --- Apply against moto ---------------------------------------------------------------------------
# `moto_copy` points every provider of a stack at a moto server (https://docs.getmoto.org/en/latest/
# docs/server_mode.html) through the provider's `endpoints` block, so `terraform apply` runs
# against a real AWS API implementation on loopback.

# Every service the stacks use or are about to use; a service the provider does not call is harmless.
MOTO_SERVICES = (
    "acm",
    "cloudwatch",
    "codeartifact",
    "dynamodb",
    "ec2",
    "ecr",
    "events",
    "iam",
    "imagebuilder",
    "kms",
    "lambda",
    "logs",
    "s3",
    "secretsmanager",
    "signer",
    "sns",
    "sqs",
    "ssm",
    "sts",
)

# Resource types moto does not implement (or implements too little for the provider to create or
# read them back): left out of the apply copy, together with everything that references them.
# They are covered by `terraform validate` and the offline `plan` of every stack instead.
MOTO_UNSUPPORTED: dict[str, str] = {
    "aws_codeartifact_domain": "moto has no CodeArtifact API",
    "aws_codeartifact_domain_permissions_policy": "moto has no CodeArtifact API",
    "aws_codeartifact_repository": "moto has no CodeArtifact API",
    "aws_codeartifact_repository_permissions_policy": "moto has no CodeArtifact API",
    "aws_ecr_pull_through_cache_rule": "moto 5.2 has no CreatePullThroughCacheRule (the provider retries "
    "its HTTP 500 until the apply times out)",
    "aws_ecr_repository_creation_template": "moto 5.2 has no CreateRepositoryCreationTemplate",
    "aws_imagebuilder_component": "moto has no EC2 Image Builder API",
    "aws_imagebuilder_container_recipe": "moto has no EC2 Image Builder API",
    "aws_imagebuilder_distribution_configuration": "moto has no EC2 Image Builder API",
    "aws_imagebuilder_image": "moto has no EC2 Image Builder API",
    "aws_imagebuilder_image_pipeline": "moto has no EC2 Image Builder API",
    "aws_imagebuilder_image_recipe": "moto has no EC2 Image Builder API",
    "aws_imagebuilder_infrastructure_configuration": "moto has no EC2 Image Builder API",
    "aws_imagebuilder_lifecycle_policy": "moto has no EC2 Image Builder API",
    "aws_imagebuilder_workflow": "moto has no EC2 Image Builder API",
    "aws_s3_bucket_lifecycle_configuration": "moto 5.2 does not read back rules with "
    "abort_incomplete_multipart_upload as written, so the provider waits minutes for them "
    "(https://github.com/getmoto/moto/issues/9729)",
    "aws_s3_bucket_logging": "moto 5.2 accepts a logging target only when the log bucket policy names "
    "its Resource as one string; ours is a (valid) list, so moto answers InvalidTargetBucketForLogging",
}

# Attributes moto does not read back as written: applied, but ignored by the second plan
# (`lifecycle.ignore_changes` in the apply copy only), with the reason.
MOTO_DRIFT_IGNORED: dict[str, tuple[tuple[str, ...], str]] = {
    "aws_s3_bucket_replication_configuration": (
        ("rule",),
        "moto 5.2 drops the rule's filter prefix and source_selection_criteria on read",
    ),
    "aws_lambda_function": (
        ("dead_letter_config",),
        "moto 5.2 does not return DeadLetterConfig from GetFunction (the offline plan checks it)",
    ),
}

MOTO_PROVIDER_SETTINGS = {
    "access_key": "testing",
    "secret_key": "testing",
    "skip_credentials_validation": True,
    "skip_requesting_account_id": False,  # moto's STS answers: ARNs get its account
    "skip_metadata_api_check": True,
    "skip_region_validation": True,
    "s3_use_path_style": True,
}


def _refers_to(value: Any, addresses: set[str]) -> bool:
    """Whether `value` (a resource or output body) mentions any of `addresses` (`type.name`)."""
    text = json.dumps(value)
    return any(re.search(rf"(?<![\w.]){re.escape(a)}\b", text) for a in addresses)


# AWS-managed policies moto 5.2 does not ship (AttachRolePolicy answers NoSuchEntity): attachments
# of them are left out of the apply copy; the roles themselves are still created.
MOTO_MISSING_MANAGED_POLICIES: dict[str, str] = {
    f"arn:aws:iam::aws:policy/{name}": "not in moto 5.2's list of AWS-managed policies"
    for name in (
        "EC2InstanceProfileForImageBuilder",
        "AmazonSSMManagedInstanceCore",
        "service-role/EC2ImageBuilderLifecycleExecutionPolicy",
    )
}


def _dropped_addresses(stack: dict[str, Any], unsupported: dict[str, str]) -> set[str]:
    """`type.name` of every unsupported resource and of everything that references one, transitively."""
    bodies = {
        f"{rtype}.{name}": body
        for rtype, named in stack.get("resource", {}).items()
        for name, body in named.items()
    }
    dropped = {address for address in bodies if address.split(".", 1)[0] in unsupported}
    dropped |= {
        address
        for address, body in bodies.items()
        if address.startswith("aws_iam_role_policy_attachment.")
        and body.get("policy_arn") in MOTO_MISSING_MANAGED_POLICIES
    }
    grew = True
    while grew:
        grew = False
        for address, body in bodies.items():
            if address not in dropped and _refers_to(body, dropped):
                dropped.add(address)
                grew = True
    return dropped


def moto_copy(
    stack: dict[str, Any], endpoint: str, unsupported: dict[str, str] = MOTO_UNSUPPORTED
) -> dict[str, Any]:
    """The offline copy, pointed at the moto server at `endpoint`, without what moto lacks."""
    out = copy.deepcopy(stack)
    out.get("terraform", {}).pop("backend", None)
    for provider in out.get("provider", {}).get("aws", []):
        # `assume_role` and `allowed_account_ids` stay: moto's STS hands out credentials of the
        # role's account, so each environment applies into its own (moto) account.
        provider.update(MOTO_PROVIDER_SETTINGS)
        provider["endpoints"] = [{service: endpoint for service in MOTO_SERVICES}]
    dropped = _dropped_addresses(out, unsupported)
    resources = out.get("resource", {})
    for address in dropped:
        rtype, name = address.split(".", 1)
        del resources[rtype][name]
        if not resources[rtype]:
            del resources[rtype]
    for rtype, (attributes, _reason) in MOTO_DRIFT_IGNORED.items():
        for body in resources.get(rtype, {}).values():
            body.setdefault("lifecycle", {})["ignore_changes"] = list(attributes)
    outputs = out.get("output", {})
    for name in [n for n, body in outputs.items() if _refers_to(body, dropped)]:
        del outputs[name]
    return out


@dataclass(frozen=True)
class MotoRun:
    """`init`, `apply`, a second `plan -detailed-exitcode` (0 = no changes) and maybe `destroy`."""

    stack: str
    steps: tuple[Result, ...]
    applied_types: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.steps)

    def step(self, command: str) -> Result | None:
        return next((r for r in self.steps if r.command.startswith(f"terraform {command}")), None)

    def report(self) -> str:
        failed = next((r for r in self.steps if not r.ok), None)
        if failed is None:
            return f"{self.stack}: ok"
        return f"{self.stack}: `{failed.command}` failed (exit {failed.returncode}):\n{failed.output[-6000:]}"


def apply_on_moto(
    stack_name: str,
    stack_json: dict[str, Any],
    workdir: Path,
    mirror: Path | None,
    endpoint: str,
    destroy: bool,
    stack_dir: Path | None = None,
) -> MotoRun:
    """Apply the stack's moto copy, re-plan it expecting no changes, then destroy it if asked.

    `stack_dir`: the synthesized stack folder, whose `assets/` (the Lambda package) are copied."""
    workdir.mkdir(parents=True, exist_ok=True)
    if stack_dir is not None and (stack_dir / "assets").is_dir():
        shutil.copytree(stack_dir / "assets", workdir / "assets", dirs_exist_ok=True)
    body = moto_copy(stack_json, endpoint)
    (workdir / "cdk.tf.json").write_text(json.dumps(body, indent=2))
    env = cli_config(workdir, mirror)  # (sets GOGC=400: see there). Destroy trusts the re-planned state.
    commands = [
        ["init", "-backend=false", "-no-color", "-input=false"],
        ["apply", "-auto-approve", "-no-color", "-input=false", "-lock=false"],
        ["plan", "-detailed-exitcode", "-no-color", "-input=false", "-lock=false"],
    ]
    if destroy:
        commands.append(
            ["destroy", "-auto-approve", "-no-color", "-input=false", "-lock=false", "-refresh=false"]
        )
    steps: list[Result] = []
    for args in commands:
        steps.append(run(args, workdir, env, timeout=300))
        if not steps[-1].ok:
            break
    return MotoRun(stack_name, tuple(steps), tuple(sorted(body.get("resource", {}))))
