"""Packages depend one way: ``core`` ← ``members`` ← ``auth`` ← ``assembly`` ← ``elections`` ← ``calls`` ← ``grants``.

Why a test: an upward import hidden in a function still ties a lower package
to a higher one (it cannot be reused, tested or reasoned about alone), and
module-level import cycles break as soon as someone imports in another order.
A lower package lets a higher one react through a signal or a registry it
owns (``register_role_provider``, ``register_home_panel``, the vote-kind
registries of ``app.assembly``), which the higher package fills from its
``init_app``.

The walk reads every ``app/**/*.py`` with ``ast``: every ``import`` and
``from … import`` (relative ones resolved, those inside functions and
``if TYPE_CHECKING:`` blocks included). ``app/__init__.py`` and ``app/demo/``
build the whole application and may import anything; ``app/config.py`` and
``app/extensions.py`` sit below ``core``. A package that is not in ``LAYERS``
fails too, so a new one has to be placed.
"""
from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"

#: Lowest first. A package may import its own modules and those of the packages before it.
LAYERS = ("core", "members", "auth", "assembly", "elections", "calls", "grants")
#: Modules of ``app/`` itself that everything may use (below ``core``).
BASE = frozenset({"config", "extensions"})
#: May import anything (they assemble the application); nothing ranked may import them.
TOP = frozenset({"__init__", "demo"})


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name, e.g. "app.core.routes"
    target: str  # the module imported (a submodule when ``from package import module``)
    line: int
    context: str = "module"  # or "function", "TYPE_CHECKING": where the import statement sits

    @property
    def module_level(self) -> bool:
        """Executed when the importer is imported: these are the imports that can close a cycle."""
        return self.context == "module"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    """The absolute module a ``from … import`` reads from (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def imports_of(module: str, source: str, modules: Iterable[str], *, is_package: bool = False) -> list[Import]:
    """Every import of ``app`` or ``app.*`` in ``source`` (the module ``module``), wherever it sits.

    ``from package import name`` targets the submodule ``package.name`` when ``modules`` has it.
    """
    known = set(modules)
    found: list[Import] = []

    def ours(name: str) -> bool:
        return name == "app" or name.startswith("app.")

    def visit(node: ast.AST, context: str) -> None:
        if isinstance(node, ast.Import):
            found.extend(Import(module, alias.name, node.lineno, context) for alias in node.names if ours(alias.name))
        elif isinstance(node, ast.ImportFrom):
            origin = _resolve(module, node, is_package)
            if ours(origin):
                for alias in node.names:
                    sub = f"{origin}.{alias.name}"
                    found.append(Import(module, sub if sub in known else origin, node.lineno, context))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            context = "function" if context == "module" else context
        elif isinstance(node, ast.If) and _is_type_checking(node.test) and context == "module":
            for child in node.body:
                visit(child, "TYPE_CHECKING")
            for child in node.orelse:
                visit(child, context)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, context)

    visit(ast.parse(source), "module")
    return found


def rank(module: str) -> tuple[str, int | None]:
    """(package, level) of a module of ``app``: level None = may import anything, -1 = below core."""
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__", None
    name = parts[1]
    if name in TOP:
        return name, None
    if name in BASE:
        return name, -1
    if name in LAYERS:
        return name, LAYERS.index(name)
    raise KeyError(name)


def _level_of_target(target: str) -> tuple[str, int]:
    """Importing ``app`` itself or ``app.demo`` counts as importing the very top."""
    package, level = rank(target)
    return package, len(LAYERS) if level is None else level


def upward_imports(imports: Iterable[Import]) -> list[str]:
    """``importer:line imports target`` for every import of a higher package (or of an unranked one)."""
    problems: set[tuple[str, int, str]] = set()
    for imp in imports:
        try:
            package, level = rank(imp.importer)
        except KeyError as exc:
            problems.add((imp.importer, 0, f"{imp.importer}: package {exc.args[0]!r} is not placed in LAYERS"))
            continue
        if level is None:
            continue
        try:
            target_package, target_level = _level_of_target(imp.target)
        except KeyError as exc:
            problems.add((imp.importer, imp.line, f"{imp.importer}:{imp.line} imports {imp.target} "
                                                  f"(package {exc.args[0]!r} not in LAYERS)"))
            continue
        if target_level > level:
            where = "" if imp.module_level else f" (in {'a function' if imp.context == 'function' else imp.context})"
            problems.add((imp.importer, imp.line, f"{imp.importer}:{imp.line} imports {imp.target}: "
                                                  f"{package} is below {target_package}{where}"))
    return [text for _module, _line, text in sorted(problems)]


def module_cycles(imports: Iterable[Import]) -> list[list[str]]:
    """Groups of modules that import one another, directly or in a ring, at module level."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        if imp.module_level and imp.target != imp.importer:
            graph.setdefault(imp.importer, set()).add(imp.target)
            graph.setdefault(imp.target, set())
    # Tarjan's strongly connected components, iteratively (no recursion limit to meet).
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return sorted(cycles)


def check(sources: Mapping[str, tuple[str, bool]]) -> list[str]:
    """Every layering problem of ``sources`` (module -> (source, is a package ``__init__``))."""
    imports = [imp for module, (source, is_package) in sorted(sources.items())
               for imp in imports_of(module, source, sources, is_package=is_package)]
    problems = upward_imports(imports)
    problems += [f"import cycle at module level: {' <-> '.join(group)}" for group in module_cycles(imports)]
    return problems


def app_sources() -> dict[str, tuple[str, bool]]:
    sources = {}
    for path in sorted(APP.rglob("*.py")):
        parts = path.relative_to(APP.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_package else parts)
        sources[module] = (path.read_text(encoding="utf-8"), is_package)
    return sources


def test_packages_depend_one_way_and_modules_form_no_cycle() -> None:
    problems = check(app_sources())
    assert problems == [], "layering broken (see DESIGN.md §4):\n  " + "\n  ".join(problems)


def test_the_walk_sees_the_whole_app() -> None:
    sources = app_sources()
    assert {"app", "app.core.permissions", "app.assembly.voting", "app.elections"} <= set(sources)
    imports = [imp for module, (source, is_package) in sources.items()
               for imp in imports_of(module, source, sources, is_package=is_package)]
    assert any(imp.importer == "app.assembly.voting" and imp.target == "app.core.audit" for imp in imports)


# The checker itself, on small synthetic packages ----------------------------------------------------------

def _pkg(**modules: str) -> dict[str, tuple[str, bool]]:
    """``app_core__x="..."`` -> {"app.core.x": (source, False)}; a name ending in ``__init__`` is a package."""
    sources = {}
    for name, source in modules.items():
        dotted = name.replace("__", ".")
        if dotted.endswith(".init"):
            sources[dotted[: -len(".init")]] = (source, True)
        else:
            sources[dotted] = (source, False)
    return sources


CASES = [
    ("downward import", _pkg(app__core__util="", app__assembly__views="from app.core.util import x\n"), []),
    ("import of a sibling module", _pkg(app__core__a="", app__core__b="from app.core import a\n"), []),
    ("base module", _pkg(app__extensions="", app__core__a="from app.extensions import db\n"), []),
    ("upward import", _pkg(app__elections__m="", app__assembly__voting="from app.elections.m import Election\n"),
     ["app.assembly.voting:1 imports app.elections.m: assembly is below elections"]),
    ("upward `import x.y`", _pkg(app__auth__m="", app__members__m="import app.auth.m\n"),
     ["app.members.m:1 imports app.auth.m: members is below auth"]),
    ("function-local upward import", _pkg(app__elections__services="", app__core__permissions=(
        "def roles():\n    from app.elections.services import holds_seat\n    return holds_seat\n")),
     ["app.core.permissions:2 imports app.elections.services: core is below elections (in a function)"]),
    ("upward TYPE_CHECKING import", _pkg(app__auth__models="", app__members__models=(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.auth.models import User\n")),
     ["app.members.models:3 imports app.auth.models: members is below auth (in TYPE_CHECKING)"]),
    ("downward TYPE_CHECKING import", _pkg(app__members__models="", app__auth__models=(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.members.models import Member\n")), []),
    ("relative upward import", _pkg(app__elections__init="", app__elections__rules="",
                                    app__assembly__init="", app__assembly__recount="from ..elections import rules\n"),
     ["app.assembly.recount:1 imports app.elections.rules: assembly is below elections"]),
    ("relative import inside the package", _pkg(app__members__init="", app__members__forms="",
                                                app__members__routes="from . import forms\nfrom .forms import F\n"),
     []),
    ("the factory and demo import anything", _pkg(app__init="from app.grants import x\n", app__grants__init="",
                                                  app__demo__loader="from app.calls.models import Call\n",
                                                  app__calls__models=""), []),
    ("nothing ranked imports the factory", _pkg(app__init="", app__core__x="from app import create_app\n"),
     ["app.core.x:1 imports app: core is below __init__"]),
    ("an unplaced package", _pkg(app__misc__x="from app.core import y\n", app__core__y=""),
     ["app.misc.x: package 'misc' is not placed in LAYERS"]),
    ("a new package above its callers", _pkg(app__calls__models="", app__grants__x="from app.calls import models\n",
                                             app__elections__x="from app.calls.models import Call\n"),
     ["app.elections.x:1 imports app.calls.models: elections is below calls"]),
    ("module-level cycle in a package", _pkg(app__members__routes="from app.members.charter import x\n",
                                             app__members__charter="from app.members.routes import bp\n"),
     ["import cycle at module level: app.members.charter <-> app.members.routes"]),
    ("a ring of three", _pkg(app__core__a="from app.core import b\n", app__core__b="from app.core import c\n",
                             app__core__c="from app.core import a\n"),
     ["import cycle at module level: app.core.a <-> app.core.b <-> app.core.c"]),
    ("a function-local import closes no cycle", _pkg(
        app__core__a="from app.core import b\n", app__core__b="def f():\n    from app.core import a\n"), []),
]


@pytest.mark.parametrize(("sources", "expected"), [(s, e) for _, s, e in CASES], ids=[c[0] for c in CASES])
def test_checker(sources: dict[str, tuple[str, bool]], expected: list[str]) -> None:
    assert check(sources) == expected


def test_browser_fixtures_stay_in_tests_browser() -> None:
    """A test module elsewhere that imports the browser fixtures gets its own session-scoped copy: a second
    Playwright then starts while the first still runs, and every later browser test errors."""
    tests = APP.parent / "tests"
    needle = "tests.browser" + ".conftest import"
    offenders = [str(path.relative_to(tests)) for path in tests.rglob("test_*.py")
                 if path.parent.name != "browser" and needle in path.read_text()]
    assert offenders == [], "put browser tests under tests/browser/"
