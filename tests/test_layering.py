"""The domain and everything below it stays free of Reflex (ENGINEERING.md: pure Python services)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "portal"
# packages/modules that must never import reflex, directly or through another module
PURE = [PORTAL / "domain", PORTAL / "db", PORTAL / "adapters", PORTAL / "i18n.py", PORTAL / "config.py"]


def pure_files() -> list[Path]:
    files: list[Path] = []
    for target in PURE:
        files.extend(sorted(target.rglob("*.py")) if target.is_dir() else [target])
    return files


def imported_modules(path: Path) -> set[str]:
    """Every module an ``import``/``from ... import`` in ``path`` names (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in {
            "import_module", "__import__",
        }:
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


def is_reflex(module: str) -> bool:
    return module == "reflex" or module.startswith(("reflex.", "reflex_"))


def test_pure_files_are_found():
    names = {p.relative_to(PORTAL).as_posix() for p in pure_files()}
    assert {"domain/auth.py", "domain/access.py", "db/models.py", "adapters/mail.py", "i18n.py", "config.py"} <= names


@pytest.mark.parametrize("path", pure_files(), ids=lambda p: p.relative_to(PORTAL).as_posix())
def test_no_reflex_import_in_source(path):
    offending = sorted(m for m in imported_modules(path) if is_reflex(m))
    assert not offending, f"{path.relative_to(ROOT)} imports {offending}"


def test_detector_catches_reflex_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    import reflex as rx\nfrom reflex.state import State\n"
                      "import importlib\nimportlib.import_module('reflex_base')\n")
    assert {m for m in imported_modules(sample) if is_reflex(m)} == {"reflex", "reflex.state", "reflex_base"}


def test_importing_the_pure_modules_loads_no_reflex():
    """Import every pure module in a fresh interpreter: nothing may pull reflex in transitively."""
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for p in pure_files()
    )
    assert "portal.domain.auth" in modules
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m == 'reflex' or m.startswith('reflex'))))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


# -- the house rules: ui -> domain -> db | adapters, and no cycles ------------------------------------
def _portal_modules() -> dict[str, Path]:
    return {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p for p in PORTAL.rglob("*.py")}


MODULES = _portal_modules()


def portal_imports(path: Path) -> set[str]:
    """The portal modules ``path`` imports (``from portal.domain import auth`` counts as portal.domain.auth)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    found = set()
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name.startswith("portal."):
            found.add(name)
    return found


# (package, packages it must never import)
RULES = [
    ("portal.adapters", ("portal.domain", "portal.ui", "portal.api", "portal.db")),
    ("portal.db", ("portal.domain", "portal.ui", "portal.api", "portal.adapters")),
    ("portal.domain", ("portal.ui", "portal.api")),
    ("portal.ui", ("portal.api", "portal.db")),
    ("portal.api", ("portal.ui",)),
]


@pytest.mark.parametrize("package,forbidden", RULES, ids=[r[0] for r in RULES])
def test_layers_import_only_downwards(package, forbidden):
    offending = {
        f"{name} imports {target}"
        for name, path in MODULES.items()
        if name == package or name.startswith(package + ".")
        for target in portal_imports(path)
        if any(target == f or target.startswith(f + ".") for f in forbidden)
    }
    assert not offending, sorted(offending)


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted.

    >>> import_cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}})
    [['a', 'b']]
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycles():
    """Also imports inside functions count: a lazy import that closes a cycle is a cycle all the same."""
    graph = {name: portal_imports(path) - {name} for name, path in MODULES.items()}
    assert import_cycles(graph) == []


def test_the_rule_checks_find_what_they_look_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from portal.domain import auth\ndef f():\n    from portal.db.models import User\n")
    assert portal_imports(sample) >= {"portal.domain.auth", "portal.db.models"}
    assert import_cycles({"x": {"y"}, "y": {"z"}, "z": {"x"}}) == [["x", "y", "z"]]
