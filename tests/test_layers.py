"""The map of the house (CONTRIBUTING.md) holds: an app imports only itself and the apps
below it, no project module is imported inside a function, and modules import each other
in a circle nowhere but where Celery needs it (the outbox's services and tasks)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lowest first: an app may import the apps before it, never those after it.
LAYERS = [
    "clinic",
    "clinical_rules",
    "notifications",
    "accounts",
    "escalations",
    "assessments",
    "bookings",
    "programs",
    "records",
    "staff",
    "config",
]
RANK = {app: rank for rank, app in enumerate(LAYERS)}

# Delivery enqueues the task that delivers; the task calls delivery.
ALLOWED_CYCLES = [{"notifications.services", "notifications.tasks"}]


def _modules() -> dict[str, Path]:
    modules = {}
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _imported(node: ast.AST, module: str) -> list[str]:
    """The project modules an import statement names."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = module.split(".")[: -node.level] if node.level else []
            base = ".".join([*package, *([base] if base else [])])
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
            for alias in node.names
        ]
    else:
        return []
    return [name for name in names if name.split(".")[0] in RANK]


def _imports(module: str) -> tuple[set[str], list[tuple[int, str]]]:
    """(modules imported at module level, (line, module) imported inside a function)."""
    tree = ast.parse(MODULES[module].read_text(), filename=str(MODULES[module]))
    top: set[str] = set()
    inner: list[tuple[int, str]] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
                continue
            for name in _imported(child, module):
                if function is None:
                    top.add(name)
                # Django's idiom: an app's ready() imports what needs the app registry.
                elif not (module.endswith(".apps") and function == "ready"):
                    inner.append((child.lineno, name))
            visit(child, function)

    visit(tree, None)
    return top, inner


IMPORTS = {module: _imports(module) for module in MODULES}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_an_app_imports_only_the_apps_below_it(module):
    app = module.split(".")[0]
    top, inner = IMPORTS[module]
    above = sorted(
        name
        for name in top | {name for _line, name in inner}
        if RANK[name.split(".")[0]] > RANK[app]
    )
    assert above == [], f"{module} ({app}) imports higher layers: {above}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_project_module_is_imported_inside_a_function(module):
    _top, inner = IMPORTS[module]
    assert inner == [], f"{module} imports inside functions: {inner}"


def _cycles() -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan), of more than one module."""
    graph = {module: {name for name in IMPORTS[module][0] if name in MODULES} for module in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                connect(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return groups


def test_modules_import_each_other_in_a_circle_only_where_celery_needs_it():
    cycles = [group for group in _cycles() if set(group) not in ALLOWED_CYCLES]
    assert cycles == []


def test_the_map_knows_every_app():
    apps = {
        path.parent.name
        for path in ROOT.glob("*/apps.py")
        if (path.parent / "__init__.py").exists()
    } | {"config"}
    assert apps == set(LAYERS)


def test_the_checks_can_fail():
    """A lower app importing a higher one, and an import inside a function, are caught."""
    source = "from programs.models import Program\n\ndef f():\n    from bookings import models\n"
    tree = ast.parse(source)
    statements = [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
    named = [name for node in statements for name in _imported(node, "clinic.example")]
    assert [RANK[name.split(".")[0]] > RANK["clinic"] for name in named] == [True, True]
