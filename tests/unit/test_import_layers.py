"""Layers only point down: no import cycle among the arviointi modules.

The import graph is read from the source with :mod:`ast` (no module is imported): an edge
``a -> b`` for every ``import b`` / ``from b import x`` in ``a`` (``from pkg import mod``
points at the submodule). Imports under ``if TYPE_CHECKING:`` are not edges. Two graphs
are checked: module-level imports only, and all imports including those inside functions,
because moving an import into a function hides a cycle without breaking it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "arviointi"


def _modules() -> dict[str, Path]:
    mods = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return mods


def _target(name: str, mods: dict[str, Path]) -> str | None:
    while name not in mods and "." in name:
        name = name.rsplit(".", 1)[0]
    return name if name in mods else None


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.Module, in_functions: bool) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                continue
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import | ast.ImportFrom) and (in_functions or not inner):
                found.append(child)
            visit(child, inner)

    visit(tree, False)
    return found


def _resolve(
    module: str, path: Path, node: ast.Import | ast.ImportFrom, mods: dict[str, Path]
) -> set[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            pkg = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
            parts = pkg.split(".")
            parts = parts[: len(parts) - (node.level - 1)]
            base = ".".join([*parts, base] if base else parts)
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
    return {t for n in names if (t := _target(n, mods)) is not None and t != module}


def import_graph(in_functions: bool) -> dict[str, set[str]]:
    mods = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges: set[str] = set()
        for node in _imports(tree, in_functions):
            edges |= _resolve(module, path, node, mods)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


@pytest.mark.parametrize("in_functions", [False, True], ids=["module-level", "with-lazy"])
def test_no_import_cycles(in_functions: bool) -> None:
    found = cycles(import_graph(in_functions))
    assert not found, "import cycles (each line one cycle):\n" + "\n".join(map(str, found))


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    graph = import_graph(in_functions=True)
    assert "arviointi.did.fit" in graph["arviointi.did.model"]
    graph["arviointi.did.fit"].add("arviointi.did.model")
    assert any("arviointi.did.model" in c for c in cycles(graph))


def test_imports_inside_functions_and_under_type_checking_are_told_apart() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import arviointi.errors\n"
        "if TYPE_CHECKING:\n    import arviointi.progress\n"
        "def f():\n    from arviointi import inference\n"
    )
    tree = ast.parse(source)
    mods = _modules()
    path = PACKAGE / "x.py"

    def names(in_functions: bool) -> set[str]:
        out: set[str] = set()
        for node in _imports(tree, in_functions):
            out |= _resolve("arviointi.x", path, node, mods)
        return out

    assert names(False) == {"arviointi.errors"}
    assert names(True) == {"arviointi.errors", "arviointi.inference"}
