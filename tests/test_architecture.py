"""Architecture rules that must hold as the code grows."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bot

ENGINE = Path(bot.__file__).parent / "engine"
FORBIDDEN = {"discord", "sqlite_utils", "openai", "sqlite3"}


def _imports(path: Path) -> set[str]:
    """Top-level package names imported by a module."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_engine_modules_exist() -> None:
    """The walk below must actually see the engine's modules."""
    assert len(list(ENGINE.rglob("*.py"))) >= 8


@pytest.mark.parametrize("module", sorted(ENGINE.rglob("*.py")), ids=lambda p: str(p.relative_to(ENGINE)))
def test_engine_is_pure(module: Path) -> None:
    """No engine module imports discord, sqlite_utils, openai or sqlite3."""
    assert not (_imports(module) & FORBIDDEN), f"{module} imports {_imports(module) & FORBIDDEN}"


def test_engine_does_not_import_adapters_or_service() -> None:
    """The engine depends on nothing above it."""
    for module in ENGINE.rglob("*.py"):
        text = module.read_text(encoding="utf-8")
        for layer in ("bot.adapters", "bot.service", "bot.cli", "bot.grader"):
            assert layer not in text, f"{module} refers to {layer}"


def test_only_the_store_has_sql() -> None:
    """SQL and sqlite-utils live in the bot/adapters/store package only."""
    root = Path(bot.__file__).parent
    store = root / "adapters" / "store"
    checked = 0
    for module in root.rglob("*.py"):
        if store in module.parents:
            continue
        text = module.read_text(encoding="utf-8")
        assert "sqlite_utils" not in text and "sqlite3" not in text, module
        assert "SELECT " not in text and "INSERT " not in text, module
        checked += 1
    assert checked > 20


def test_ruff_is_clean() -> None:
    """The code passes the lint rules of our style guide."""
    beside = Path(sys.executable).parent / "ruff"
    ruff = str(beside) if beside.exists() else shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    repo = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [ruff, "check", str(repo / "bot"), str(repo / "tests")], capture_output=True, text=True, cwd=repo, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
