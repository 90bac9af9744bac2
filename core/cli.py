"""The command line: `python main.py <command>` (also `pipenv run synth`, `cdktf synth`)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core import clientsetup
from core.errors import ConfigError, Problem, UsageError, counted
from core.loader import Project, load_project

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

EPILOG = """exit codes: 0 success; 1 the command ran and found a failure (check-image: the image is
blocked, or could not be checked; plan-review: a plan failed or a destructive change is not allowed);
2 bad input or usage (every problem is listed: file, line, field path, bad value, rule ID)."""
COMMAND_EPILOG = """exit codes: 0 success; 2 bad input or usage (every problem is listed: file, line,
field path, bad value, rule ID; nothing is written)."""


# --- shared flags: every command spells them the same way -------------------------------------------


CONFIG_DIR_VARIABLE = "ARTIFACT_PLATFORM_CONFIG_DIR"  # your configuration, for `cdktf synth|deploy` too


def _config_dir(parser: argparse.ArgumentParser, *, holds: str = "environments/*.yaml") -> None:
    parser.add_argument(
        "--config-dir",
        type=Path,
        default=Path(os.environ.get(CONFIG_DIR_VARIABLE) or PROJECT_ROOT / "config"),
        metavar="DIR",
        help=f"folder holding {holds} (default: ${CONFIG_DIR_VARIABLE}, else ./config, the reference)",
    )


def _envs(parser: argparse.ArgumentParser) -> None:
    """`--env NAME`, repeatable; none means every environment."""
    parser.add_argument(
        "--env", action="append", metavar="NAME", help="only this environment (repeatable; default: all)"
    )


def _env(parser: argparse.ArgumentParser, help: str) -> None:
    """`--env NAME`, exactly one, for commands about one environment."""
    parser.add_argument("--env", required=True, metavar="NAME", help=help)


def _out(parser: argparse.ArgumentParser, default: str, what: str, metavar: str = "DIR") -> None:
    parser.add_argument(
        "--out", type=Path, default=Path(default), metavar=metavar, help=f"{what} (default: {default})"
    )


def _common(parser: argparse.ArgumentParser, *, out_default: str | None) -> None:
    _config_dir(parser)
    _envs(parser)
    if out_default is not None:
        _out(parser, out_default, "output folder")


def _command(
    sub: argparse._SubParsersAction, name: str, summary: str, description: str | None = None, **kw: Any
) -> argparse.ArgumentParser:
    """A subcommand with its one-line summary (in the top-level --help), a description and the
    exit codes (in its own --help)."""
    kw.setdefault("epilog", COMMAND_EPILOG)
    return sub.add_parser(
        name, help=summary, description=description or summary[0].upper() + summary[1:] + ".", **kw
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return value


def _warn(problems: Sequence[Problem]) -> None:
    for p in problems:
        print(f"warning: {p.render()}", file=sys.stderr)


def _load(args: argparse.Namespace) -> tuple[Project, tuple]:
    project = load_project(args.config_dir)
    return project, project.select(args.env)


def cmd_synth(args: argparse.Namespace) -> int:
    project, selected = _load(args)
    _warn(project.warnings_for(selected))
    from core.synth import synthesize

    summaries = synthesize(selected, project.environments, args.out, project.files)
    total = sum(s.resources for s in summaries)
    where = os.path.relpath(args.out.resolve() / "stacks", Path.cwd())
    print(f"synthesized {counted(len(summaries), 'stack')} ({counted(total, 'resource')}) into {where}/")
    for s in summaries:
        print(f"  {s.name:<28} {s.resources:>4} resources")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    project, selected = _load(args)
    _warn(project.warnings_for(selected))
    names = ", ".join(e.name for e in selected)
    print(f"configuration is valid: {counted(len(selected), 'environment')} ({names})")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from core.schema import config_schema

    text = json.dumps(config_schema(), indent=2, sort_keys=True) + "\n"
    if str(args.out) == "-":
        sys.stdout.write(text)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        print(f"wrote the configuration JSON Schema to {args.out}")
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from core.rules import CATALOGUE

    print("| rule | what it checks | source |\n| --- | --- | --- |")
    for rule_id in sorted(CATALOGUE):
        rule = CATALOGUE[rule_id]
        print(f"| `{rule.id}` | {rule.summary} | {rule.source} |")
    return EXIT_OK


def cmd_codeartifact_login(args: argparse.Namespace) -> int:
    project = load_project(args.config_dir)
    [env] = project.select([args.env])
    if env.codeartifact is None:
        with_ca = [e.name for e in project.environments if e.codeartifact is not None]
        raise UsageError(
            f"--env: environment {env.name!r} defines no codeartifact domain"
            + (f"; environments with one: {', '.join(with_ca)}" if with_ca else "")
        )
    names = [r.name for r in env.codeartifact.repositories]
    if args.repository not in names:
        raise UsageError(
            f"--repository: {args.repository!r} is not a repository of domain "
            f"{env.codeartifact.domain!r} in {env.name}; defined: {', '.join(names)}"
        )
    served = clientsetup.formats(env.codeartifact, args.repository)
    if args.tool != "all" and args.tool not in clientsetup.tools_for(served):
        raise UsageError(
            f"--tool {args.tool}: repository {args.repository!r} serves {', '.join(served)}, not "
            f"{clientsetup.TOOL_FORMAT[args.tool]}; tools for it: {', '.join(clientsetup.tools_for(served))}, all"
        )
    sys.stdout.write(clientsetup.render(clientsetup.target(env, args.repository), args.tool, served))
    return EXIT_OK


def cmd_image_lock(args: argparse.Namespace) -> int:
    from core import imagelock

    # records what the configuration says, so a lock that is behind is no error here; content that
    # changed under a recorded version still is (exit 2), and is never recorded
    project = load_project(args.config_dir, skip_rules={imagelock.CURRENT_RULE})
    path = imagelock.write(args.config_dir, project.environments)
    print(f"recorded Image Builder component and recipe versions in {os.path.relpath(path, Path.cwd())}")
    return EXIT_OK


def cmd_check_image(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from core import imagecheck
    from core.naming import blocked_images_table

    try:
        ref = imagecheck.parse_ref(args.image)
    except imagecheck.BadImageRef as exc:
        raise UsageError(f"image: {exc}") from None
    project = load_project(args.config_dir)
    [env] = project.select([args.env])
    if env.supply_chain is None or env.supply_chain.scan_gate is None:
        raise UsageError(f"--env: environment {env.name!r} has no supply_chain.scan_gate")
    try:
        verdict = imagecheck.lookup(ref, blocked_images_table(env), args.region or env.primary_region)
    except (BotoCoreError, ClientError) as exc:  # fail closed: a deploy must not pass unchecked
        print(f"error: cannot check {ref.key}, treat it as blocked: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if verdict.blocked:
        print(verdict.describe(ref), file=sys.stderr)
        return EXIT_FAILED
    print(verdict.describe(ref))
    return EXIT_OK


def cmd_diagram(args: argparse.Namespace) -> int:
    from core import diagram

    project, selected = _load(args)
    rendered = diagram.diagrams(selected, project.environments)
    embedded: tuple[str, str, list[str]] | None = None  # the README's text before and after, and the envs
    if args.readme is not None:  # checked before anything is written
        try:
            text = args.readme.read_text(encoding="utf-8")
            updated, done = diagram.embed(text, rendered)
        except diagram.MarkerError as exc:
            raise UsageError(f"--readme: {exc}") from None
        except OSError as exc:
            raise UsageError(f"--readme: {args.readme}: {exc.strerror or exc}") from None
        if not done:
            raise UsageError(
                f"--readme: {args.readme} has no <!-- diagram:<env>:start --> marker for {', '.join(rendered)}"
            )
        embedded = (text, updated, list(done))
    report = sys.stdout
    if str(args.out) == "-":
        sys.stdout.write("\n".join(rendered.values()))
        report = sys.stderr  # stdout holds the diagrams only
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, text in rendered.items():
            (args.out / f"{name}.mmd").write_text(text)
        names = ", ".join(f"{n}.mmd" for n in rendered)
        print(f"wrote {counted(len(rendered), 'diagram')} to {args.out}/: {names}")
    if embedded is not None:
        before, updated, done = embedded
        for name in rendered:
            if name not in done:
                print(f"warning: {args.readme} has no diagram markers for {name}", file=sys.stderr)
        if updated != before:
            args.readme.write_text(updated, encoding="utf-8")
        state = "updated" if updated != before else "already current"
        print(f"{state}: the diagrams of {', '.join(done)} in {args.readme}", file=report)
    return EXIT_OK


def cmd_stacks(args: argparse.Namespace) -> int:
    from core.topology import deploy_order, stack_dependencies

    _, selected = _load(args)
    for env in selected:
        deps = stack_dependencies(env)
        for name in deploy_order(env):
            print(f"{name}  (after {', '.join(deps[name])})" if args.why and deps[name] else name)
    return EXIT_OK


def cmd_plan_review(args: argparse.Namespace) -> int:
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from core import planreview
    from core.synth import synthesize
    from core.tfrun import ReviewPlan, plan_for_review, terraform_binary

    allowed = []
    for value in args.allow_destroy or ():
        try:
            planreview.parse_allow(value)
        except ValueError as exc:
            raise UsageError(f"--allow-destroy: {exc}") from None
        allowed.append(value)
    try:
        terraform_binary()
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    project, selected = _load(args)
    _warn(project.warnings_for(selected))
    summaries = synthesize(selected, project.environments, args.synth_dir, flag="--synth-dir")
    args.out.mkdir(parents=True, exist_ok=True)
    for s in summaries:  # a failed plan must not leave an earlier run's files behind
        for suffix in (".tfplan", ".json"):
            (args.out / f"{s.name}{suffix}").unlink(missing_ok=True)
    mode = "offline (fake credentials, no refresh)" if args.offline else "against the real backends"
    print(f"planning {counted(len(summaries), 'stack')} {mode}...", file=sys.stderr)
    results: list[ReviewPlan] = []
    with ThreadPoolExecutor(max_workers=max(1, min(len(summaries), args.parallelism))) as pool:
        futures = [
            pool.submit(plan_for_review, s.name, s.path.parent, args.out, offline=args.offline)
            for s in summaries
        ]
        for done, future in enumerate(as_completed(futures), 1):
            r = future.result()
            results.append(r)
            if r.plan_json is None:
                status = "plan FAILED (see the report)"
            else:
                counts = planreview.stack_plan(r.stack, r.plan_json)
                status = ", ".join(f"{counts.count(k)} to {k}" for k in planreview.KINDS)
            print(f"  [{done}/{len(summaries)}] {r.stack}: {status} ({r.seconds:.0f} s)", file=sys.stderr)

    from core import diagram

    review = planreview.review(
        {r.stack: r.plan_json for r in results if r.plan_json is not None},
        {r.stack: r.error for r in results if r.error is not None},
        allowed,
        diagram.diagrams(selected, project.environments),
    )
    report = args.out / "plan-review.md"
    report.write_text(review.markdown())
    for unused in review.unused_allows:
        print(f"warning: --allow-destroy {unused}: no such destructive change in this plan", file=sys.stderr)
    where = os.path.relpath(report.resolve(), Path.cwd())
    if review.ok:
        print(f"plan review passed: {where}")
        return EXIT_OK
    print(
        f"plan review FAILED: {counted(len(review.failed), 'plan')} failed, "
        f"{counted(len(review.blocked), 'destructive change')} to stateful resources not allowed; see {where}"
    )
    for c in review.blocked:
        print(f"  {c.kind.upper()} {c.allow_key}")
    return EXIT_FAILED


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="main.py",
        description="Synthesize the artifact supply chain (ECR, CodeArtifact, S3, Image Builder, signing and "
        "the scan-findings gate) as Terraform JSON, one stack per environment and region; check, document "
        "and use it.",
        epilog=EPILOG,
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = _command(
        sub,
        "synth",
        "validate, then write cdktf.out/stacks/<stack>/cdk.tf.json",
        "Validate the configuration, then write one Terraform JSON stack per environment and region "
        "into <out>/stacks/<stack>/cdk.tf.json (staged, then swapped into place; nothing is written "
        "when the configuration is invalid).",
    )
    _common(p, out_default=os.environ.get("CDKTF_OUTDIR", "cdktf.out"))
    p.set_defaults(func=cmd_synth)

    p = _command(sub, "validate", "check the configuration only (no synth)")
    _common(p, out_default=None)
    p.set_defaults(func=cmd_validate)

    p = _command(sub, "schema", "write the configuration's JSON Schema (for editors)")
    _out(p, "docs/config.schema.json", "file, or - for stdout", metavar="FILE")
    p.set_defaults(func=cmd_schema)

    p = _command(sub, "rules", "print the rule catalogue as a Markdown table")
    p.set_defaults(func=cmd_rules)

    p = _command(
        sub,
        "codeartifact-login",
        "print the login commands and client configuration for a CodeArtifact repository",
        "Print, from the configuration alone (no AWS call), the `aws codeartifact login` "
        "commands and the npm, pip, Maven, NuGet and CodeBuild configuration for one repository (for "
        "the package formats it serves). Nothing is "
        "written to disk; the snippets read the token from CODEARTIFACT_AUTH_TOKEN.",
    )
    _config_dir(p)
    _env(p, "the environment that defines the domain")
    p.add_argument("--repository", required=True, metavar="NAME", help="a repository of the domain")
    p.add_argument(
        "--tool",
        choices=(*clientsetup.TOOLS, "all"),
        default="all",
        help="which client to set up (default: all: every format the repository serves)",
    )
    p.set_defaults(func=cmd_codeartifact_login)

    p = _command(
        sub,
        "image-lock",
        "record Image Builder component and recipe versions and content hashes in the lock file",
        "Write config/image-builder.lock.json from the configuration: each component's and "
        "recipe's version next to the hash of its content. Run it after bumping a version; commit it.",
    )
    _config_dir(p, holds="environments/*.yaml and the lock file")
    p.set_defaults(func=cmd_image_lock)

    p = _command(
        sub,
        "check-image",
        "exit 0 if an image is not blocked by the scan-findings gate, 1 (with the reason) if it is",
        "Look the image up in the environment's blocked-images table (written by the scan "
        "gate on a CRITICAL finding). Run it in deploy jobs before deploying an image. Uses the usual "
        "AWS credentials; AWS_ENDPOINT_URL points it at another endpoint. An AWS error exits 1 (fail "
        "closed).",
        epilog="exit codes: 0 not blocked; 1 blocked, or the check could not run; 2 bad input or usage.",
    )
    p.add_argument(
        "image",
        help="<repository>@sha256:<digest>, <repository>:<tag>@sha256:<digest> (the digest is "
        "checked) or <repository>:<tag>",
    )
    _env(p, "the environment whose gate to ask")
    _config_dir(p)
    p.add_argument("--region", help="region of the table (default: the environment's primary region)")
    p.set_defaults(func=cmd_check_image)

    p = _command(
        sub,
        "diagram",
        "write a Mermaid topology diagram per environment (from the configuration; no synth)",
        "Write <out>/<env>.mmd for each environment: a Mermaid flowchart of its ECR repositories and "
        "replication destinations, pull-through cache upstreams, CodeArtifact upstream graph, AMI "
        "distribution, artifact bucket replication and scan-findings gate. Node IDs derive from names, "
        "so a configuration change is a small diff. With --readme, also replace the diagrams embedded "
        "in the README between <!-- diagram:<env>:start --> and <!-- diagram:<env>:end -->.",
    )
    _config_dir(p)
    _envs(p)
    _out(p, "docs/diagrams", "output folder, or - for stdout")
    p.add_argument(
        "--readme",
        nargs="?",
        type=Path,
        const=PROJECT_ROOT / "README.md",
        metavar="FILE",
        help="also update the diagrams embedded in this Markdown file (default: the project's README.md)",
    )
    p.set_defaults(func=cmd_diagram)

    p = _command(sub, "stacks", "print the stacks in deploy order (a stack after those it depends on)")
    _common(p, out_default=None)
    p.add_argument("--why", action="store_true", help="also show what each stack deploys after")
    p.set_defaults(func=cmd_stacks)

    p = _command(
        sub,
        "plan-review",
        "synthesize, plan every stack in parallel, write a Markdown review; guard deletions",
        "Synthesize, run `terraform plan` for every stack of the chosen environments "
        "(in parallel), save <out>/<stack>.tfplan and <out>/<stack>.json (terraform show -json) "
        "and write <out>/plan-review.md. Exits 1 when a plan fails or when a plan deletes or "
        "replaces a stateful resource (ECR repository, S3 bucket, KMS key, CodeArtifact domain or "
        "repository, signing profile, Image Builder pipeline, the scan gate's DynamoDB table) that "
        "--allow-destroy does not name. "
        "The report embeds each environment's topology diagram.",
        epilog="exit codes: 0 every plan passed review; 1 a plan failed, or a destructive change to a "
        "stateful resource is not allowed; 2 bad input or usage.",
    )
    _common(p, out_default="plans")
    p.add_argument(
        "--allow-destroy",
        action="append",
        metavar="STACK:ADDRESS",
        help="accept deleting or replacing this resource, e.g. "
        'dev-ap-northeast-1:aws_ecr_repository.ecr_repositories["my-app"] (repeatable)',
    )
    p.add_argument(
        "--offline",
        action="store_true",
        help="plan without AWS: fake credentials, the local provider mirror, no refresh, remote "
        "backends dropped (a local backend's state is still read); as the test suite plans",
    )
    p.add_argument(
        "--synth-dir",
        type=Path,
        default=Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out")),
        metavar="DIR",
        help="where to synthesize (default: cdktf.out); replaced with the selected stacks",
    )
    p.add_argument(
        "--parallelism", type=_positive, default=4, metavar="N", help="stacks planned at once (default: 4)"
    )
    p.set_defaults(func=cmd_plan_review)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"error: {exc.render()}", file=sys.stderr)
        print("nothing was written.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # a folder given on the command line that cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}; check the path and its permissions", file=sys.stderr)
        print("nothing was written.", file=sys.stderr)
        return EXIT_BAD_INPUT
