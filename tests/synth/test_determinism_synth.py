"""Two synths of the same configuration are byte-identical and free of machine-specific values."""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_second_synth_is_byte_identical_and_machine_neutral(synth_out, tmp_path):
    again = tmp_path / "again" / "cdktf.out"
    proc = subprocess.run(
        [sys.executable, "main.py", "synth", "--out", str(again)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    first, second = _files(synth_out), _files(again)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    today = datetime.date.today()
    forbidden = {
        str(tmp_path),
        str(synth_out.parent),
        str(ROOT),
        str(Path.home()),
        os.environ.get("USER") or "no-user-set",
        socket.gethostname(),
        today.isoformat(),
        today.strftime("%Y%m%d"),
    }
    for name, data in second.items():
        if not name.endswith(".json"):  # the Lambda package: compared byte for byte above
            continue
        text = data.decode("utf-8")
        found = sorted(f for f in forbidden if f and f in text)
        assert not found, f"{name} holds machine-specific values: {found}"
