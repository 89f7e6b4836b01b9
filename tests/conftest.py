"""Shared helpers: every test drives the real CLI in a real site folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "seeds").glob("*.txt"))


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "builder", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)


def read_notice(path: Path) -> tuple[dict, str]:
    """(front matter, Markdown body) of a content file."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A fresh site folder with the repository's site.yaml and seeds."""
    shutil.copy(REPO / "site.yaml", tmp_path / "site.yaml")
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    return tmp_path


@pytest.fixture(scope="module")
def normalized_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds normalised once, with a report, for the tests that only read."""
    root = tmp_path_factory.mktemp("seeds-site")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "seeds", root / "seeds")
    result = run_cli("normalize", "--report", "report.json", cwd=root)
    assert result.returncode == 0, result.stderr
    return root
