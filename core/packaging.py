"""Deterministic Lambda packages: the same sources give the same zip bytes on every machine.

Entries are sorted, stored uncompressed (deflate output may differ between zlib builds), with a
fixed timestamp (1980-01-01, the zip epoch), fixed Unix permissions (0644) and no extra fields, so
the zip and its SHA-256 depend only on the file names and contents.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644  # regular file, rw-r--r--
PROJECT_ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = PROJECT_ROOT / "functions"


def deterministic_zip(files: Mapping[str, bytes]) -> bytes:
    """A zip of `files` (archive name -> content), byte-identical for identical input."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.create_system = 3  # Unix, so external_attr carries the permissions
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, files[name])
    return buffer.getvalue()


def function_sources(function: str) -> dict[str, bytes]:
    """The files of `functions/<function>/` that go into its package (Python sources, no tests)."""
    folder = FUNCTIONS / function
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*.py"))
        if p.name != "__init__.py" and "__pycache__" not in p.parts
    }


def package_function(function: str, out_dir: Path) -> tuple[Path, str]:
    """Write `<out_dir>/<function>.zip`; return its path and base64 SHA-256 (Lambda's code hash)."""
    data = deterministic_zip(function_sources(function))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{function}.zip"
    path.write_bytes(data)
    return path, base64.b64encode(hashlib.sha256(data).digest()).decode()
