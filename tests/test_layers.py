"""The package's layers import downwards only, and no module imports itself back.

Layers, lowest first: core < load < model < rules < check < output < api <
cli = server (docs/architecture.md): the language server sits beside the CLI.
``usmctl/__init__.py`` and ``__main__.py`` are outside.
Every import counts, at module level (``TYPE_CHECKING`` blocks included) or
inside a function; a function-level import of the package is only for a
measured start-up cost and says so in a ``# start-up:`` comment on its line or
the line above (a comment above a run of such imports covers the run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import usmctl

PACKAGE = Path(usmctl.__file__).parent
LAYERS = ("core", "load", "model", "rules", "check", "output", "api", "cli")
# Layers that share a rank: the language server sits beside the CLI, above api.
BESIDE = {"server": "cli"}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str:
    """The module an imported name lives in (``usmctl.rules.meta`` -> ``usmctl.rules``)."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _layer(module: str) -> int | None:
    parts = module.split(".")
    name = BESIDE.get(parts[1], parts[1]) if len(parts) > 1 else ""
    return LAYERS.index(name) if name in LAYERS else None


class Import:
    def __init__(self, importer: str, imported: str, line: int, in_function: bool) -> None:
        self.importer, self.imported, self.line, self.in_function = (
            importer,
            imported,
            line,
            in_function,
        )


def _imports() -> list[Import]:
    found: list[Import] = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_function: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                in_function.update(id(inner) for inner in ast.walk(node))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] == "usmctl":
                    for alias in node.names:
                        full = f"{node.module}.{alias.name}"
                        targets.append(full if full in MODULES else node.module)
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.split(".")[0] == "usmctl"]
            found.extend(
                Import(module, _resolve(target), node.lineno, id(node) in in_function)
                for target in targets
            )
    return found


IMPORTS = _imports()


def test_every_module_is_in_a_layer() -> None:
    outside = {"usmctl", "usmctl.__main__"}
    assert [m for m in MODULES if m not in outside and _layer(m) is None] == []


def test_no_module_imports_a_higher_layer() -> None:
    upward = []
    for item in IMPORTS:
        low, high = _layer(item.importer), _layer(item.imported)
        if low is not None and high is not None and high > low:
            upward.append(f"{item.importer}:{item.line} imports {item.imported}")
    assert upward == [], "\n".join(upward)


def test_the_import_graph_has_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for item in IMPORTS:
        if item.imported != item.importer:
            graph.setdefault(item.importer, set()).add(item.imported)
    visiting: list[str] = []
    done: set[str] = set()
    cycles: list[str] = []

    def visit(module: str) -> None:
        if module in done:
            return
        if module in visiting:
            cycles.append(" -> ".join([*visiting[visiting.index(module) :], module]))
            return
        visiting.append(module)
        for imported in sorted(graph.get(module, ())):
            visit(imported)
        visiting.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


def test_function_level_imports_say_what_start_up_cost_they_cut() -> None:
    function_level = {(item.importer, item.line) for item in IMPORTS if item.in_function}
    unexplained = []
    for module, line in sorted(function_level):
        text = MODULES[module].read_text(encoding="utf-8").splitlines()
        top = line
        while (module, top - 1) in function_level:  # a run of imports shares one comment
            top -= 1
        if not any("# start-up:" in text[at - 1] for at in range(max(top - 1, 1), line + 1)):
            unexplained.append(f"{MODULES[module]}:{line}: {text[line - 1].strip()}")
    assert unexplained == [], "function-level imports without a # start-up: comment:\n" + (
        "\n".join(unexplained)
    )


def test_a_warm_validate_imports_no_heavy_library(tmp_path: Path) -> None:
    """The second ``validate`` of unchanged files takes its findings from the
    cache: no PyYAML, pydantic, networkx, jsonschema or rich (what the kept
    function-level imports are for), and no run of validate imports the
    language server (pygls)."""
    import os
    import shutil
    import subprocess
    import sys

    root = tmp_path / "pilot"
    shutil.copytree(Path(__file__).parent.parent / "examples" / "pilot", root)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "home-cache")}
    command = [sys.executable, "-X", "importtime", "-m", "usmctl", "validate", "."]
    for _ in range(2):
        run = subprocess.run(
            command, check=False, cwd=root, env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
    imported = {line.rpartition("|")[2].strip() for line in run.stderr.splitlines()}
    heavy = {"yaml", "pydantic", "networkx", "jsonschema", "rich", "usmctl.rules", "pygls"}
    heavy |= {"lsprotocol", "usmctl.server"}
    # custom rules' machinery, for a config that names none (the pilot's is empty)
    heavy |= {"jsonpath", "re2", "usmctl.check.rulesets", "usmctl.check.functions"}
    assert imported & heavy == set()
    assert "usmctl.check.cache" in imported  # the run did take the cached path
