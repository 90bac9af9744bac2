"""The one seam between this project and the CDK for Terraform framework.

Everything the project uses from `cdktf`, `constructs` and the prebuilt AWS provider bindings is
re-exported here, so a move to the `cdktn` fork (or locally generated bindings) is a change in this
file and `core/_aws_bindings.py` only.

Loading strategy. `cdktf_cdktf_provider_aws/__init__.py` imports all ~2,200 resource submodules,
which costs seconds and hundreds of MB per process. The package's submodules only need the jsii
assembly (`<package>._jsii`), so the package is registered as a bare namespace (its `__init__` is
not run) and only the submodules listed in `core/_aws_bindings.py` are imported. If the package
layout ever changes so that this does not work, the normal import is used instead, with a one-line
notice on stderr. `ARTIFACT_PLATFORM_PROVIDER_IMPORT=full` forces the normal import (the benchmark
and the equivalence test use it).

The generated bindings also re-check every argument at run time with typeguard inside
`if __debug__:` blocks (about 40% of the Python time of a large synth). The lazily loaded submodules
are compiled as `python -O` would compile them, so those blocks are left out; the project's own
code is type-checked by mypy, and jsii still validates every value it receives.
`ARTIFACT_PLATFORM_PROVIDER_TYPECHECK=1` keeps the checks.

The Node side (the jsii kernel) is made lazy the same way by a preload script: see
core/node/lazy_provider_index.js. Together: ~2.5 s and ~250 MB instead of ~20 s and ~1.2 GB.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import marshal
import os
import sys
from pathlib import Path
from types import CodeType, ModuleType
from typing import TYPE_CHECKING

# jsii prints a multi-line Node end-of-life banner on Node 20; a normal run must be quiet. The
# end-of-life switch takes the Node major versions to silence, the others any value.
_SILENCE = {
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "14,16,18,19,20,21",
    "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1",
}
for _var, _value in _SILENCE.items():
    os.environ.setdefault(_var, _value)

PROVIDER_PACKAGE = "cdktf_cdktf_provider_aws"
IMPORT_MODE_VARIABLE = "ARTIFACT_PLATFORM_PROVIDER_IMPORT"
TYPECHECK_VARIABLE = "ARTIFACT_PLATFORM_PROVIDER_TYPECHECK"
_LAZY = os.environ.get(IMPORT_MODE_VARIABLE, "lazy") != "full"

# The Node side has the same problem: the provider's lib/index.js requires every resource module.
# A preload script (core/node/lazy_provider_index.js) makes those requires lazy in the jsii kernel.
_NODE_PRELOAD = Path(__file__).with_name("node") / "lazy_provider_index.js"
if _LAZY and _NODE_PRELOAD.is_file() and str(_NODE_PRELOAD) not in os.environ.get("NODE_OPTIONS", ""):
    _preload = f'--require "{_NODE_PRELOAD}"'
    os.environ["NODE_OPTIONS"] = f"{os.environ.get('NODE_OPTIONS', '')} {_preload}".strip()

from cdktf import (  # noqa: E402 - the environment above must be set before jsii starts
    App,
    AssetType,
    CloudBackend,
    Fn,
    LocalBackend,
    NamedCloudWorkspace,
    S3Backend,
    TerraformAsset,
    TerraformIterator,
    TerraformOutput,
    TerraformResource,
    TerraformResourceLifecycle,
    TerraformStack,
    Token,
)
from constructs import Construct  # noqa: E402


class _OptimizedLoader(importlib.machinery.SourceFileLoader):
    """Compile like `python -O` (no `if __debug__:` blocks), cached as the usual `.opt-1.pyc`."""

    def get_code(self, fullname: str) -> CodeType:
        source_path = self.get_filename(fullname)
        cache = Path(importlib.util.cache_from_source(source_path, optimization=1))
        stat = os.stat(source_path)
        header = (
            importlib.util.MAGIC_NUMBER
            + (0).to_bytes(4, "little")
            + (int(stat.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
            + (stat.st_size & 0xFFFFFFFF).to_bytes(4, "little")
        )
        try:
            data = cache.read_bytes()
            if data[:16] == header:
                code: CodeType = marshal.loads(data[16:])
                return code
        except OSError:
            pass
        code = compile(self.get_data(source_path), source_path, "exec", dont_inherit=True, optimize=1)
        try:
            cache.parent.mkdir(exist_ok=True)
            cache.write_bytes(header + marshal.dumps(code))
        except OSError:
            pass  # a read-only install: compile again next time
        return code


class _OptimizedFinder:
    """Finds the provider's submodules and loads them with `_OptimizedLoader`."""

    def __init__(self, package_dirs: list[str]) -> None:
        self.package_dirs = package_dirs

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> object:
        if not fullname.startswith(PROVIDER_PACKAGE + ".") or fullname.count(".") != 1:
            return None
        name = fullname.rsplit(".", 1)[1]
        for base in self.package_dirs:
            init = Path(base) / name / "__init__.py"
            if init.is_file():
                loader = _OptimizedLoader(fullname, str(init))
                return importlib.util.spec_from_file_location(
                    fullname, init, loader=loader, submodule_search_locations=[str(init.parent)]
                )
        return None


def _notice(reason: str) -> None:
    print(f"notice: loading the full AWS provider bindings (slower): {reason}", file=sys.stderr)


def _drop_provider_modules() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _OptimizedFinder)]
    for name in [n for n in sys.modules if n == PROVIDER_PACKAGE or n.startswith(PROVIDER_PACKAGE + ".")]:
        del sys.modules[name]


def _register_lazy_package() -> str | None:
    """Register the provider package without running its `__init__`; return why not, or None."""
    if PROVIDER_PACKAGE in sys.modules:
        return None if getattr(sys.modules[PROVIDER_PACKAGE], "__lazy__", False) else "already imported"
    spec = importlib.util.find_spec(PROVIDER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return f"{PROVIDER_PACKAGE} is not an importable package"
    package = importlib.util.module_from_spec(spec)  # created, not executed
    package.__lazy__ = True  # type: ignore[attr-defined]
    sys.modules[PROVIDER_PACKAGE] = package
    if os.environ.get(TYPECHECK_VARIABLE) != "1":
        finder = _OptimizedFinder(list(spec.submodule_search_locations))
        sys.meta_path.insert(0, finder)  # type: ignore[arg-type]
    try:
        importlib.import_module(f"{PROVIDER_PACKAGE}._jsii")  # loads the jsii assembly
    except Exception as exc:
        _drop_provider_modules()
        return f"package layout changed ({exc.__class__.__name__}: {exc})"
    return None


def _load_bindings() -> tuple[ModuleType, str]:
    if not _LAZY:
        importlib.import_module(PROVIDER_PACKAGE)
        return importlib.import_module("core._aws_bindings"), "full"
    reason = _register_lazy_package()
    if reason is None:
        try:
            return importlib.import_module("core._aws_bindings"), "lazy"
        except ImportError as exc:
            reason = f"package layout changed ({exc})"
            sys.modules.pop("core._aws_bindings", None)
            _drop_provider_modules()
    if reason != "already imported":
        _notice(reason)
    importlib.import_module(PROVIDER_PACKAGE)
    return importlib.import_module("core._aws_bindings"), "full"


def is_reference(value: object) -> bool:
    """Whether `value` is an unresolved cdktf token (a Terraform reference), as
    `Token.is_unresolved` answers, without its jsii round trip: cdktf encodes string tokens as
    `${TfToken[...]}`."""
    return isinstance(value, str) and "${TfToken[" in value


if TYPE_CHECKING:
    from core import _aws_bindings as aws

    PROVIDER_IMPORT_MODE = "lazy"
else:
    aws, PROVIDER_IMPORT_MODE = _load_bindings()

__all__ = [
    "PROVIDER_IMPORT_MODE",
    "App",
    "AssetType",
    "CloudBackend",
    "Construct",
    "Fn",
    "LocalBackend",
    "NamedCloudWorkspace",
    "S3Backend",
    "TerraformAsset",
    "TerraformIterator",
    "TerraformOutput",
    "TerraformResource",
    "TerraformResourceLifecycle",
    "TerraformStack",
    "Token",
    "aws",
    "is_reference",
]
