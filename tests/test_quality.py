"""The code holds its own bar: ruff clean and formatted over the tree, mypy --strict over the installed package."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    path = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(path).exists():
        pytest.fail(f"{name} is part of the test extra but is not installed: pip install '.[test]'")
    return path


def test_ruff_is_clean() -> None:
    """ruff finds nothing in the sources, tests and benchmarks (config in pyproject.toml)."""
    result = subprocess.run(
        [_tool("ruff"), "check", "--no-cache", str(ROOT)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    """The sources, tests and benchmarks are as ``ruff format`` leaves them (config in pyproject.toml)."""
    result = subprocess.run(
        [_tool("ruff"), "format", "--check", "--no-cache", str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_the_installed_package() -> None:
    """mypy --strict passes on every zhenggai package as installed (py.typed shipped)."""
    dist = importlib.metadata.distribution("zhenggai")
    direct = dist.read_text("direct_url.json")
    if direct and json.loads(direct).get("dir_info", {}).get("editable"):
        pytest.skip(
            "editable install: mypy cannot follow the package-dir mapping (CI installs with `pip install .`)"
        )
    packages = [f"-p=zhenggai.{p}" for p in ("engine", "workflows", "adapters", "notifications", "testing")]
    result = subprocess.run(
        [
            _tool("mypy"),
            "--strict",
            "--no-incremental",
            f"--config-file={ROOT / 'pyproject.toml'}",
            *packages,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
