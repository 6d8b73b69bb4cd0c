"""The code base stays clean by machine: ruff (check and format), as configured in pyproject.toml; an
import graph without cycles; a function-local import says why it is local. mypy runs in `make lint`
(CI runs it before the suite: a cold mypy takes ~90 s, too long for a unit test)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PACKAGES = ("orchestration", "api_contracts", "migrations")


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "--no-cache", "."],
        ["ruff", "format", "--check", "--no-cache", "."],
    ],
    ids=["ruff-check", "ruff-format"],
)
def test_the_linters_find_nothing(command: list[str]) -> None:
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "versions" in path.parts:  # migrations are history
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def _imports(tree: ast.Module) -> list[tuple[ast.Import | ast.ImportFrom, list[str]]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.append((node, [alias.name for alias in node.names]))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node, [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]))
    return found


def _function_local(tree: ast.Module) -> set[int]:
    """ids of the import statements inside a function body."""
    local: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            local.update(
                id(inner) for inner in ast.walk(node) if isinstance(inner, ast.Import | ast.ImportFrom)
            )
    return local


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def test_the_import_graph_has_no_cycles() -> None:
    """Module-level and function-local imports alike: a local import must not hide a cycle."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for _node, targets in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            graph[name].update(target for target in targets if target in modules and target != name)
    assert import_cycles(graph) == []


def test_import_cycles_are_found() -> None:
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def unexplained_local_imports(path: Path, source: str) -> list[str]:
    """Function-local imports whose group (consecutive import statements) has no comment: on the
    line above the group or at the end of one of its lines."""
    tree = ast.parse(source)
    lines = source.splitlines()
    local = _function_local(tree)
    findings = []
    for parent in ast.walk(tree):
        body = getattr(parent, "body", None)
        if not isinstance(body, list):
            continue
        groups: list[list[ast.stmt]] = []
        for statement in body:
            if isinstance(statement, ast.Import | ast.ImportFrom) and id(statement) in local:
                previous = groups[-1][-1] if groups else None
                if previous is not None and _next_statement(parent, previous) is statement:
                    groups[-1].append(statement)
                else:
                    groups.append([statement])
        for group in groups:
            above = group[0].lineno - 2
            while above >= 0 and not lines[above].strip():
                above -= 1
            commented = above >= 0 and lines[above].strip().startswith("#")
            commented = commented or any(
                "#" in lines[row]
                for node in group
                for row in range(node.lineno - 1, node.end_lineno or node.lineno)
            )
            if not commented:
                findings.extend(
                    f"{path.relative_to(ROOT)}:{node.lineno}: {_imports_of(node)} imported locally, no reason"
                    for node in group
                )
    return findings


def _next_statement(parent: ast.AST, statement: ast.stmt) -> ast.stmt | None:
    body = getattr(parent, "body", [])
    position = body.index(statement)
    return body[position + 1] if position + 1 < len(body) else None


def _imports_of(node: ast.Import | ast.ImportFrom) -> str:
    return node.module or "" if isinstance(node, ast.ImportFrom) else node.names[0].name


@pytest.mark.parametrize(
    ("source", "unexplained"),
    [
        ("def f():\n    import json\n    return json\n", 1),
        ("def f():\n    # deferred: why\n    import json\n    import os\n    return json, os\n", 0),
        ("def f():\n    import json  # why\n    return json\n", 0),
        ("def f():\n    # why\n    import json\n\n    x = 1\n    import os\n    return x\n", 1),
        ("import json\n", 0),
    ],
)
def test_the_local_import_check_sees_a_missing_reason(source: str, unexplained: int) -> None:
    assert len(unexplained_local_imports(ROOT / "x.py", source)) == unexplained


def test_a_function_local_import_says_why() -> None:
    findings = [
        finding
        for path in _modules().values()
        for finding in unexplained_local_imports(path, path.read_text(encoding="utf-8"))
    ]
    assert findings == []
