"""The import rules of DESIGN §2, enforced on the source tree.

Every ``import`` in the project's packages is parsed (not executed) and checked against the
layering: ``sim.rules`` at the bottom, then ``sim.api``/``sim.scenario``/``sim.rng``/
``sim.results``, then ``sim.model``/``sim.population``, then ``sim.world``, then
``sim.workload``/``sim.experiment``/``sim.client``, then ``sim.drill``, then ``sim.cli``; a
module imports only from layers below its own (and its own package). ``refplatform``,
``loadtests`` and ``reports`` have their own allowances.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STDLIB = set(sys.stdlib_module_names) | {"__future__"}

LAYERS: dict[str, int] = {
    "sim.rules": 0,
    "sim.api": 1,
    "sim.scenario": 1,
    "sim.rng": 1,
    "sim.results": 1,
    "sim.model": 2,
    "sim.population": 2,
    "sim.world": 3,
    "sim.workload": 4,
    "sim.experiment": 4,
    "sim.client": 4,
    "sim.drill": 5,
    "sim.cli": 6,
}

# Third-party packages each part may use; None means any (the composition root).
THIRD_PARTY: dict[str, set[str] | None] = {
    "sim.rules": {"pydantic", "yaml"},  # yaml only to read the rules' own packaged tables
    "sim.api": {"pydantic"},
    "sim.scenario": {"pydantic", "yaml", "numpy"},
    "sim.rng": {"numpy"},
    "sim.results": {"numpy", "pyarrow", "scipy"},
    "sim.model": {"simpy", "numpy", "scipy"},
    "sim.population": {"faker", "numpy", "pyarrow", "pydantic"},
    "sim.world": {"numpy", "pyarrow"},
    "sim.workload": {"numpy", "orjson", "pyarrow", "pydantic"},
    "sim.experiment": {"numpy", "scipy", "pyarrow", "dask"},
    "sim.client": {"httpx", "pydantic"},
    "sim.drill": {"httpx", "pydantic", "yaml"},  # yaml: the drill catalogue is YAML data
    "sim.cli": None,
    "refplatform": {
        "fastapi",
        "starlette",
        "sqlalchemy",
        "alembic",
        "uvicorn",
        "pydantic",
        "psycopg",
        "pydantic_settings",
        "yaml",
    },
    # yaml: the SLO file; geventhttpclient: FastHttpUser's own client, the replay's transport
    "loadtests": {"locust", "gevent", "geventhttpclient", "hdrh", "numpy", "orjson", "yaml"},
    "reports": {"jinja2", "matplotlib", "numpy"},
}

# Project modules each non-`sim` part may import.
PROJECT_ALLOWED: dict[str, tuple[str, ...]] = {
    "refplatform": ("refplatform", "sim.rules", "sim.api"),
    "loadtests": ("loadtests", "sim.workload", "sim.client", "sim.api", "sim.results"),
    "reports": ("reports", "sim.results"),
}


def _part_of(module: str) -> str | None:
    for part in sorted({*LAYERS, *PROJECT_ALLOWED}, key=len, reverse=True):
        if module == part or module.startswith(part + "."):
            return part
    if module == "sim" or module.startswith("sim."):
        return "sim"
    return None


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target))
    return found


def _sources() -> list[Path]:
    files: list[Path] = []
    for top in ("sim", "refplatform", "loadtests", "reports"):
        files.extend(sorted((ROOT / top).rglob("*.py")))
    return files


def _violations(path: Path) -> list[str]:
    module = _module_name(path)
    part = _part_of(module)
    if part is None or part == "sim":
        return []  # sim/__init__.py: the package docstring only
    problems = []
    for lineno, target in _imports(path, module):
        where = f"{path.relative_to(ROOT)}:{lineno}: {module} imports {target}"
        top = target.split(".")[0]
        if top in STDLIB:
            continue
        if top in {"sim", "refplatform", "loadtests", "reports"}:
            target_part = _part_of(target)
            if target_part == part:
                continue
            if part in PROJECT_ALLOWED:
                if not any(
                    target == a or target.startswith(a + ".") for a in PROJECT_ALLOWED[part]
                ):
                    problems.append(f"{where} (not allowed for {part})")
                continue
            if target_part in PROJECT_ALLOWED or target_part is None or target_part == "sim":
                if part != "sim.cli" or target_part is None:
                    problems.append(f"{where} (sim must not import {target})")
                continue
            if LAYERS[target_part] >= LAYERS[part]:
                problems.append(
                    f"{where} (layer {LAYERS[part]} may not import layer {LAYERS[target_part]})"
                )
            continue
        allowed = THIRD_PARTY[part]
        if allowed is not None and top not in allowed:
            problems.append(f"{where} (third-party {top} not allowed in {part})")
    return problems


def test_import_rules_hold() -> None:
    problems = [p for f in _sources() for p in _violations(f)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("module", "source", "bad"),
    [
        ("sim.rules.credit", "import numpy\n", True),
        ("sim.rules.credit", "from sim.model import port\n", True),
        ("sim.model.port", "import faker\n", True),
        ("sim.model.port", "from sim.cli import app\n", True),
        ("sim.model.port", "import simpy\nfrom sim.rules import risk\n", False),
        ("sim.scenario.schema", "from sim.model import port\n", True),
        ("refplatform.app", "from sim.model import port\n", True),
        ("refplatform.app", "from sim.api import declarations\n", False),
        ("sim.api.declarations", "from sim.scenario import schema\n", True),
        ("sim.model.port", "from sim.world import World\n", True),
        ("sim.experiment.runner", "from sim.world import World\n", False),
        ("loadtests.replay", "from sim.model import port\n", True),
        ("refplatform.app", "from sim.rules import credit\nimport fastapi\n", False),
        ("reports.render", "from sim.results import kpis\nimport jinja2\n", False),
        ("sim.results", "import loadtests\n", True),
        ("sim.cli.run", "from refplatform import main\nimport uvicorn\n", False),
    ],
)
def test_checker_catches_violations(
    tmp_path: Path, module: str, source: str, bad: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checker itself: a forbidden import is reported, an allowed one is not."""
    rel = Path(*module.split(".")).with_suffix(".py")
    path = tmp_path / rel
    path.parent.mkdir(parents=True)
    path.write_text(source)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert bool(_violations(path)) is bad
