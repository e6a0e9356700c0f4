"""What code made a result: the fingerprint that is part of every cached cell's identity.

A cell's numbers depend on the data, the parameters, and the code that computed them: the
installed shiftbench package, the numerical libraries under it, and for a model defined outside
shiftbench the module that defines it. A cache keyed only by the package's version number hands
back old numbers after any change that did not bump it; keyed by this fingerprint it cannot.

The fingerprint (:func:`code_identity`) is plain JSON data:

``shiftbench``
    the sha256 of every file of the installed package (sources, templates, vendored data; the
    bytecode caches left out), in the order of their relative paths;
``libraries``
    the installed versions of the numerical core (:data:`CORE_LIBRARIES`) and of the
    distributions a model declares it depends on (``BaseForecaster.dependencies``: TensorFlow
    and Keras for the networks);
``modules``
    for a model defined outside shiftbench, its module's file and that file's sha256.

Each part is computed once per process (a few milliseconds: see docs/engine.md).
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

#: The libraries every cell's numbers go through.
CORE_LIBRARIES: tuple[str, ...] = (
    "numpy",
    "scipy",
    "pandas",
    "statsmodels",
    "arch",
    "scikit-learn",
)
#: Distributions that install the same import package under other names (TensorFlow is
#: ``tensorflow-cpu`` on Linux x86-64): a name on the left is looked up as each on the right.
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly"),
}


def _package_root() -> Path:
    return Path(__file__).resolve().parent


@functools.cache
def source_sha256(root: Path | None = None) -> str:
    """The sha256 over every file of the package at ``root`` (default: the installed
    shiftbench): each file's relative path and bytes, in sorted order; ``__pycache__`` and
    ``.pyc`` files are left out, so the digest is the same wherever the package is installed.

    >>> len(source_sha256())
    64
    """
    base = root or _package_root()
    digest = hashlib.sha256(b"shiftbench-source-v1\0")
    files = sorted(
        p
        for p in base.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    )
    for path in files:
        digest.update(path.relative_to(base).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@functools.cache
def distribution_version(name: str) -> str | None:
    """The installed version of a distribution (or of one of its :data:`ALTERNATIVES`), or
    None when none is installed."""
    for candidate in ALTERNATIVES.get(name, (name,)):
        try:
            return metadata.version(candidate)
        except metadata.PackageNotFoundError:
            continue
    return None


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: The source of each imported module as this process first hashed it, by module and import
#: (a reload makes a new module spec): the code the process runs, even if the file has been
#: edited since; a reload hashes the file again.
_SOURCES: dict[tuple[str, int], dict[str, str]] = {}


def module_source(module: str) -> dict[str, str]:
    """The file of an imported module outside shiftbench and its sha256 (the identity of a
    user's model), hashed once per import of the module. A module without a file (built into
    the interpreter, defined in a notebook) has no file to hash: its cells are never cached
    (:func:`code_identity`)."""
    loaded = sys.modules.get(module)
    key = (module, id(getattr(loaded, "__spec__", None)))
    if key not in _SOURCES:
        file = getattr(loaded, "__file__", None)
        if not file:
            return {"path": "", "sha256": ""}
        path = Path(file).resolve()
        _SOURCES[key] = {"path": str(path), "sha256": file_sha256(path)}
    return dict(_SOURCES[key])


def code_identity(dependencies: Iterable[str] = (), modules: Iterable[str] = ()) -> dict[str, Any]:
    """The fingerprint of the code behind a result (see the module docstring).

    ``dependencies`` are distributions beyond :data:`CORE_LIBRARIES` whose versions matter;
    ``modules`` the modules outside shiftbench that define the model.

    >>> sorted(code_identity(["keras"])["libraries"])[:3]
    ['arch', 'keras', 'numpy']
    """
    names = dict.fromkeys([*CORE_LIBRARIES, *dependencies])
    sources = {name: module_source(name) for name in sorted(set(modules))}
    code: dict[str, Any] = {
        "shiftbench": source_sha256(),
        "libraries": {name: distribution_version(name) for name in names},
        "modules": sources,
    }
    if any(not source["sha256"] for source in sources.values()):
        code["cacheable"] = False  # a model without a source file: nothing to key it by
    return code


def fingerprint_id(code: dict[str, Any]) -> str:
    """A short name of a fingerprint (the first 16 hex digits of its canonical sha256): the
    folder its cache entries live in."""
    text = json.dumps(code, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def stale_reason(code: Any) -> str | None:
    """Why results of this fingerprint would not be produced by the installed code now, or
    None when they would (the same package source, library versions and module files).

    Nothing is imported: a module is checked by reading its recorded file."""
    if not isinstance(code, dict):
        return "no fingerprint"
    if code.get("shiftbench") != source_sha256():
        return "shiftbench's code changed"
    libraries = code.get("libraries")
    if not isinstance(libraries, dict):
        return "no library versions"
    for name, version in libraries.items():
        installed = distribution_version(str(name))
        if installed != version:
            return f"{name} {version} -> {installed}"
    modules = code.get("modules", {})
    if not isinstance(modules, dict):
        return "no module sources"
    for name, source in modules.items():
        if not isinstance(source, dict):
            return f"module {name}: no source recorded"
        path = Path(str(source.get("path", "")))
        if not source.get("path") or not path.is_file():
            return f"module {name}: {path} is gone"
        if file_sha256(path) != source.get("sha256"):
            return f"module {name} changed"
    return None
