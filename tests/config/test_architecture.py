"""The shape of the code: which app may import which, and no import cycles between modules.

Read from the source with `ast`, so the rules hold for imports inside functions too.
"""

import ast
from pathlib import Path

import pytest
from django.utils.module_loading import import_string

from shop.hooks import HOOKS, hook

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "cms", "shop", "orders", "livestream", "search")

# Who may import whom (shared/DESIGN.md §2); config wires them all and is imported by none.
ALLOWED_APP_IMPORTS = {
    "shop": set(),
    "cms": {"shop"},
    "orders": {"shop"},
    "livestream": {"orders", "shop"},
    "search": {"shop"},
    "config": {"cms", "shop", "orders", "livestream", "search"},
}
# The demo loads every app's demo data: the one place cms reaches past shop.
DEMO_PACKAGE = "cms.demo"
# The one edge between buying and accounting: booking a paid order and reversing a refund.
BOOKING_MODULE = "orders.accounting.allocations"
BOOKING_FUNCTIONS = {"allocations_book_for_order", "allocations_reverse_for_refund"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _source_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[_module_name(path)] = path
    return modules


MODULES = _source_modules()


# Wagtail serves a page through the page model's own methods, which call views and selectors
# that import the model: such an import sits in the method and says so with this marker.
PAGE_SERVING = "Wagtail page serving"


def _function_imports(tree: ast.AST) -> list[ast.ImportFrom | ast.Import]:
    return [
        node
        for function in ast.walk(tree)
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
        for node in ast.walk(function)
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]


def _page_serving(node: ast.AST, lines: list[str]) -> bool:
    return any(PAGE_SERVING in line for line in lines[node.lineno - 1 : node.end_lineno])


def _imports(name: str, path: Path) -> list[tuple[str, set[str]]]:
    """(module imported, names taken from it) for every import statement in the file, except the
    page-serving imports inside a page model's methods."""
    text = path.read_text()
    tree = ast.parse(text, filename=str(path))
    lines = text.splitlines()
    skipped = {id(node) for node in _function_imports(tree) if _page_serving(node, lines)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, set()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.append((submodule, set()) if submodule in MODULES else (base, {alias.name}))
    return found


def _graph() -> dict[str, dict[str, set[str]]]:
    graph: dict[str, dict[str, set[str]]] = {}
    for name, path in MODULES.items():
        edges = graph.setdefault(name, {})
        for target, names in _imports(name, path):
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                edges.setdefault(target, set()).update(names)
    return graph


GRAPH = _graph()


def _cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def _is_package_init(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def test_no_module_imports_itself_back_through_others():
    assert _cycles(GRAPH) == []


def test_project_modules_are_imported_at_the_top_of_a_module():
    """No import inside a function to dodge a cycle: only AppConfig.ready() (signal wiring once
    the models are loaded) and a page model's page-serving methods import inside a function."""
    inside = []
    for name, path in MODULES.items():
        text = path.read_text()
        lines = text.splitlines()
        for node in _function_imports(ast.parse(text)):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            ours = getattr(node, "level", 0) > 0 or any(module.split(".")[0] in APPS for module in modules)
            if ours and path.name != "apps.py" and not _page_serving(node, lines):
                inside.append(f"{name}:{node.lineno}")
    assert inside == []


def test_apps_import_only_the_apps_below_them():
    wrong = []
    for source, targets in GRAPH.items():
        source_app = source.split(".")[0]
        for target in targets:
            target_app = target.split(".")[0]
            if target_app == source_app or source.startswith(DEMO_PACKAGE):
                continue
            if target_app not in ALLOWED_APP_IMPORTS[source_app]:
                wrong.append(f"{source} → {target}")
    assert wrong == []


def test_buying_reaches_accounting_only_through_the_two_booking_functions():
    crossing = {
        (source, target): names
        for source, targets in GRAPH.items()
        for target, names in targets.items()
        if source.startswith("orders.buying") and target.startswith("orders.accounting")
    }
    assert set(target for _, target in crossing) == {BOOKING_MODULE}
    assert set().union(*crossing.values()) == BOOKING_FUNCTIONS


def test_accounting_never_imports_buying_code():
    # Accounting may read buying's models (orders.models, shared by the app), not its modules.
    crossing = [
        f"{source} → {target}"
        for source, targets in GRAPH.items()
        for target in targets
        if source.startswith("orders.accounting") and target.startswith("orders.buying")
    ]
    assert crossing == []


@pytest.mark.parametrize("package", ["orders.buying", "orders.accounting"])
def test_the_orders_packages_exist_with_their_modules(package):
    assert _is_package_init(package)
    assert sum(name.startswith(package + ".") for name in MODULES) >= 10


def _settings_assignments() -> list[str]:
    tree = ast.parse((ROOT / "config" / "settings.py").read_text())
    return [target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets if isinstance(target, ast.Name)]


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_each_cross_app_hook_is_set_once_and_names_what_exists(name, settings):
    assert _settings_assignments().count(name) == 1
    value = getattr(settings, name)
    for path in value if isinstance(value, list) else [value]:
        assert callable(import_string(path))


def test_an_unknown_hook_name_is_an_error_not_a_silent_default():
    with pytest.raises(KeyError, match="not a cross-app hook"):
        hook("ORDERS_OFER_PROVIDER", default=object)
