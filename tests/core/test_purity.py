"""The core stays pure: standard library, pyarabic and numpy only (DESIGN sections 2 and 6)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import annotator.core

CORE = Path(annotator.core.__file__).resolve().parent
ALLOWED_THIRD_PARTY = {"pyarabic", "numpy"}  # numpy: the agreement figures
FORBIDDEN = ("PySide6", "shiboken6", "sqlalchemy", "alembic", "charset_normalizer", "regex",
             "openpyxl")


def _core_files() -> list[Path]:
    return sorted(p for p in CORE.rglob("*.py") if "__pycache__" not in p.parts)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(CORE.parent.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file; relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                found.append((node.lineno, ".".join(base + ([node.module] if node.module else []))))
            else:
                found.append((node.lineno, node.module or ""))
    return found


def _allowed(module: str) -> bool:
    top = module.partition(".")[0]
    if module == "annotator.core" or module.startswith("annotator.core."):
        return True
    return top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY


def test_core_has_modules() -> None:
    names = {p.name for p in _core_files()}
    assert {"text.py", "arabic.py", "search.py", "snap.py"} <= names


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_imports_only_stdlib_core_and_pyarabic(path: Path) -> None:
    bad = [f"{path.name}:{line}: {module}" for line, module in _imports(path)
           if not _allowed(module)]
    assert not bad, "core may import only the standard library, pyarabic and numpy: " + ", ".join(bad)


def test_importing_the_core_loads_no_qt_or_database() -> None:
    modules = [_module_name(p) for p in _core_files()]
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=60)
    loaded = set(json.loads(out.stdout))
    assert {"annotator.core.text", "annotator.core.snap"} <= loaded
    leaked = sorted(m for m in loaded if m.partition(".")[0] in FORBIDDEN)
    assert not leaked, f"importing the core loaded {leaked}"
