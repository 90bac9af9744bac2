"""Synth benchmark: the project's synth against the normal provider import and an empty cdktf app.

    pipenv run python scripts/benchmark.py [--runs 5] [--scale 10,20,30] [--markdown]

Runs each case several times, round-robin, each in a fresh process (as a user or CI pays it), and
prints the median wall time and the peak memory of the whole process tree (Python and the jsii
Node process, sampled every 20 ms), the ratios, and whether the targets hold:

* reference synth at least 4x faster than the same synth with the normal provider import;
* peak memory of the reference synth under 700 MB;
* a 30-environment x 100-repository synth within 3x of the reference synth, growing linearly.

It is a script, not a timed test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.scale_config import write as write_scale_config  # noqa: E402

# The floor: cdktf itself, without the AWS provider (the Node banner silenced as the seam does).
EMPTY_APP = """
import os, sys
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "14,16,18,19,20,21")
from cdktf import App, TerraformStack
app = App(outdir=sys.argv[1])
TerraformStack(app, "empty")
app.synth()
"""


@dataclass
class Case:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> float:
        return max(self.peak_mb)


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of `pid` and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(case: Case, workdir: Path) -> None:
    out = Path(tempfile.mkdtemp(dir=workdir))
    argv = [a.replace("{out}", str(out)) for a in case.argv]
    env = {**os.environ, **case.env}
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"benchmark case {case.name} failed ({proc.returncode}):\n{stderr}")
    case.seconds.append(elapsed)
    case.peak_mb.append(peak / 1024)


def synth_case(name: str, config_dir: Path, **env: str) -> Case:
    argv = [sys.executable, "main.py", "synth", "--config-dir", str(config_dir), "--out", "{out}"]
    return Case(name, argv, dict(env))


def count_resources(config_dir: Path, workdir: Path) -> int:
    out = Path(tempfile.mkdtemp(dir=workdir))
    proc = subprocess.run(
        [sys.executable, "main.py", "synth", "--config-dir", str(config_dir), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(proc.stdout.split("(")[1].split()[0])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}, Node {node}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per case (default 5)")
    parser.add_argument(
        "--scale",
        default="10,20,30",
        help="environment counts for the scale series, 100 repositories each (default 10,20,30)",
    )
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables (for the README)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="synth-bench-") as tmp:
        work = Path(tmp)
        reference = ROOT / "config"
        cases = [
            synth_case("reference synth (this project)", reference),
            synth_case(
                "reference synth, normal provider import", reference, ARTIFACT_PLATFORM_PROVIDER_IMPORT="full"
            ),
            Case(
                "empty cdktf app (floor)", [sys.executable, "-c", EMPTY_APP.format(root=str(ROOT)), "{out}"]
            ),
        ]
        scale_cases: list[tuple[int, int, Case]] = []
        for envs in [int(n) for n in args.scale.split(",") if n]:
            config = write_scale_config(work / f"scale-{envs}", envs, 100)
            scale_cases.append((envs, count_resources(config, work), synth_case(f"{envs} x 100", config)))
        ref_resources = count_resources(reference, work)

        for run in range(args.runs):
            for case in [*cases, *(c for _, _, c in scale_cases)]:
                measure(case, work)
            print(f"run {run + 1}/{args.runs} done", file=sys.stderr)

    ours, normal, floor = cases
    print(f"# synth benchmark, {datetime.now(UTC):%Y-%m-%d}, median of {args.runs} runs")
    print(f"machine: {machine()}\n")
    rows = [(c.name, c.median, c.peak, f"{c.median / floor.median:.1f}x floor") for c in cases]
    print("| case | median s | peak MB | vs floor |\n| --- | ---: | ---: | ---: |")
    for name, med, peak, ratio in rows:
        print(f"| {name} | {med:.2f} | {peak:.0f} | {ratio} |")
    speedup = normal.median / ours.median
    print(f"\nspeed-up over the normal import: {speedup:.1f}x (target >= 4x)")
    print(f"peak memory of the reference synth: {ours.peak:.0f} MB (target < 700 MB)\n")

    print("| configuration | resources | median s | peak MB | ms per resource | vs reference |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(f"| reference (3 envs) | {ref_resources} | {ours.median:.2f} | {ours.peak:.0f} | - | 1.0x |")
    for envs, resources, case in scale_cases:
        per = 1000 * (case.median - floor.median) / resources
        print(
            f"| {envs} envs x 100 repositories | {resources} | {case.median:.2f} | {case.peak:.0f} "
            f"| {per:.2f} | {case.median / ours.median:.1f}x |"
        )
    verdicts = [("speed-up >= 4x", speedup >= 4), ("peak < 700 MB", ours.peak < 700)]
    if scale_cases:
        envs, _, largest = scale_cases[-1]
        verdicts.append((f"{envs} x 100 within 3x of reference", largest.median <= 3 * ours.median))
        per_resource = [(c.median - floor.median) / r for _, r, c in scale_cases]
        verdicts.append(("growth linear or better", per_resource[-1] <= per_resource[0] * 1.15))
    print("\n" + "\n".join(f"- {'PASS' if ok else 'FAIL'}: {what}" for what, ok in verdicts))
    return 0 if all(ok for _, ok in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
