"""The fast provider loading changes nothing but speed: same bytes as the normal import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

# Run main.py as if the provider package's layout had changed: the seam must notice, say so in one
# line, and fall back to the normal import (all ~2,200 modules, typeguard checks, eager Node index).
SIMULATED_LAYOUT_CHANGE = """
import importlib.util, runpy, sys
real = importlib.util.find_spec
def find_spec(name, *args, **kwargs):
    spec = real(name, *args, **kwargs)
    if name == "cdktf_cdktf_provider_aws" and spec is not None:
        spec.submodule_search_locations = None
    return spec
importlib.util.find_spec = find_spec
sys.argv = ["main.py", *sys.argv[1:]]
runpy.run_path("main.py", run_name="__main__")
"""


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_fallback_to_the_normal_import_gives_byte_identical_output(synth_out, tmp_path):
    out = tmp_path / "cdktf.out"
    proc = subprocess.run(
        [sys.executable, "-c", SIMULATED_LAYOUT_CHANGE, "synth", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    notices = [line for line in proc.stderr.splitlines() if line.startswith("notice:")]
    assert notices == [
        "notice: loading the full AWS provider bindings (slower): "
        "cdktf_cdktf_provider_aws is not an importable package"
    ]
    assert "Node 20 is end-of-life" not in proc.stderr
    lazy, normal = files(synth_out), files(out)
    assert sorted(lazy) == sorted(normal)
    assert [name for name in lazy if lazy[name] != normal[name]] == []


def test_the_seam_loads_only_the_bindings_it_lists():
    code = (
        "import sys, core.framework as f; "
        "mods = {m.split('.')[1] for m in sys.modules if m.startswith('cdktf_cdktf_provider_aws.')}; "
        "print(f.PROVIDER_IMPORT_MODE, len(mods))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    mode, count = proc.stdout.split()
    listed = (ROOT / "core" / "_aws_bindings.py").read_text().count("from cdktf_cdktf_provider_aws.")
    assert mode == "lazy"
    assert int(count) == listed + 1  # + the jsii assembly module
    assert proc.stderr == ""  # quiet: no notice, no Node banner


def test_is_reference_agrees_with_cdktf():
    from core.framework import App, TerraformStack, Token, aws, is_reference

    stack = TerraformStack(App(), "probe")
    key = aws.KmsKey(stack, "key")
    for value in (key.arn, f"prefix-{key.key_id}", "literal", "${var.x}", ""):
        assert is_reference(value) == Token.is_unresolved(value), value
