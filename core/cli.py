"""The command line: `python main.py <command>` (also `pipenv run synth`, `cdktf synth`)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from core.errors import ConfigError, Problem
from core.loader import Project, load_project

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

EPILOG = """exit codes: 0 success; 1 the command ran and found a failure; 2 bad input or usage
(every problem is listed: file, line, field path, bad value, rule ID)."""


class UsageError(Exception):
    """Bad command-line input: one line on stderr, exit 2."""


def _common(parser: argparse.ArgumentParser, *, out_default: str | None) -> None:
    parser.add_argument(
        "--config-dir",
        type=Path,
        default=PROJECT_ROOT / "config",
        help="folder holding environments/*.yaml (default: ./config)",
    )
    parser.add_argument(
        "--env",
        action="append",
        metavar="NAME",
        help="only this environment (repeatable; default: all)",
    )
    if out_default is not None:
        parser.add_argument(
            "--out", type=Path, default=Path(out_default), help=f"output folder (default: {out_default})"
        )


def _warn(problems: Sequence[Problem]) -> None:
    for p in problems:
        print(f"warning: {p.render()}", file=sys.stderr)


def _load(args: argparse.Namespace) -> tuple[Project, tuple]:
    project = load_project(args.config_dir)
    return project, project.select(args.env)


def cmd_synth(args: argparse.Namespace) -> int:
    project, selected = _load(args)
    _warn(project.warnings)
    from core.synth import synthesize

    summaries = synthesize(selected, project.environments, args.out)
    total = sum(s.resources for s in summaries)
    where = os.path.relpath(args.out.resolve() / "stacks", Path.cwd())
    print(f"synthesized {len(summaries)} stacks ({total} resources) into {where}/")
    for s in summaries:
        print(f"  {s.name:<28} {s.resources:>4} resources")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    project, selected = _load(args)
    _warn(project.warnings)
    names = ", ".join(e.name for e in selected)
    print(f"configuration is valid: {len(selected)} environments ({names})")
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
    from core import clientsetup

    project = load_project(args.config_dir)
    envs = {e.name: e for e in project.environments}
    env = envs.get(args.env)
    if env is None:
        raise UsageError(f"--env: unknown environment {args.env!r}; defined: {', '.join(envs)}")
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
    sys.stdout.write(clientsetup.render(clientsetup.target(env, args.repository), args.tool))
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
    _warn(project.warnings)
    summaries = synthesize(selected, project.environments, args.synth_dir)
    args.out.mkdir(parents=True, exist_ok=True)
    for s in summaries:  # a failed plan must not leave an earlier run's files behind
        for suffix in (".tfplan", ".json"):
            (args.out / f"{s.name}{suffix}").unlink(missing_ok=True)
    mode = "offline (fake credentials, no refresh)" if args.offline else "against the real backends"
    print(f"planning {len(summaries)} stacks {mode}...", file=sys.stderr)
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

    review = planreview.review(
        {r.stack: r.plan_json for r in results if r.plan_json is not None},
        {r.stack: r.error for r in results if r.error is not None},
        allowed,
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
        f"plan review FAILED: {len(review.failed)} plans failed, {len(review.blocked)} destructive "
        f"changes to stateful resources not allowed; see {where}"
    )
    for c in review.blocked:
        print(f"  {c.kind.upper()} {c.allow_key}")
    return EXIT_FAILED


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="main.py",
        description="Synthesize the artifact supply chain (ECR, CodeArtifact) as Terraform JSON, one stack "
        "per environment and region.",
        epilog=EPILOG,
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "synth", help="validate, then write cdktf.out/stacks/<stack>/cdk.tf.json", epilog=EPILOG
    )
    _common(p, out_default=os.environ.get("CDKTF_OUTDIR", "cdktf.out"))
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("validate", help="check the configuration only (no synth)", epilog=EPILOG)
    _common(p, out_default=None)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="write the configuration's JSON Schema (for editors)", epilog=EPILOG)
    p.add_argument("--out", type=Path, default=Path("docs/config.schema.json"), help="file, or - for stdout")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("rules", help="print the rule catalogue as a Markdown table", epilog=EPILOG)
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser(
        "codeartifact-login",
        help="print the login commands and client configuration for a CodeArtifact repository",
        description="Print, from the configuration alone (no AWS call), the `aws codeartifact login` "
        "commands and the npm, pip, Maven and CodeBuild configuration for one repository. Nothing is "
        "written to disk; the snippets read the token from CODEARTIFACT_AUTH_TOKEN.",
        epilog=EPILOG,
    )
    p.add_argument(
        "--config-dir",
        type=Path,
        default=PROJECT_ROOT / "config",
        help="folder holding environments/*.yaml (default: ./config)",
    )
    p.add_argument("--env", required=True, metavar="NAME", help="the environment that defines the domain")
    p.add_argument("--repository", required=True, metavar="NAME", help="a repository of the domain")
    p.add_argument(
        "--tool",
        choices=("npm", "pip", "maven", "buildspec", "all"),
        default="all",
        help="which client to set up (default: all)",
    )
    p.set_defaults(func=cmd_codeartifact_login)

    p = sub.add_parser(
        "stacks",
        help="print the stacks in deploy order (a stack after those it depends on)",
        epilog=EPILOG,
    )
    _common(p, out_default=None)
    p.add_argument("--why", action="store_true", help="also show what each stack deploys after")
    p.set_defaults(func=cmd_stacks)

    p = sub.add_parser(
        "plan-review",
        help="synthesize, plan every stack in parallel, write a Markdown review; guard deletions",
        description="Synthesize, run `terraform plan` for every stack of the chosen environments "
        "(in parallel), save <out>/<stack>.tfplan and <out>/<stack>.json (terraform show -json) "
        "and write <out>/plan-review.md. Exits 1 when a plan fails or when a plan deletes or "
        "replaces a stateful resource (ECR repository, S3 bucket, KMS key, CodeArtifact domain or "
        "repository, signing profile, Image Builder pipeline) that --allow-destroy does not name.",
        epilog=EPILOG,
    )
    _common(p, out_default="plans")
    p.add_argument(
        "--allow-destroy",
        action="append",
        metavar="STACK:ADDRESS",
        help="accept deleting or replacing this resource, e.g. "
        "dev-ap-northeast-1:aws_ecr_repository.repo-my-app_repository_0A1B2C3D (repeatable)",
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
        help="where to synthesize (default: cdktf.out)",
    )
    p.add_argument(
        "--parallelism", type=int, default=4, metavar="N", help="stacks planned at once (default: 4)"
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
