"""Fixtures: every test drives the real CLI in a real site folder (helpers in helpers.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    Served,
    free_port,
    http_server,
    run_cli,
    write_site_yaml,
)

# The tests read gongkai's messages in English (its default is Chinese): every CLI they start
# inherits this. tests/test_i18n.py asks for Chinese where it needs it.
os.environ["LC_ALL"] = "en_US.UTF-8"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked long first, each module's in its order: the workers (pyproject.toml)
    are handed tests in this order, and one of these begun last would keep its worker busy
    long after the other had finished."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A fresh site folder with the repository's site.yaml, search off, and the seeds."""
    write_site_yaml(tmp_path)
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    return tmp_path


@pytest.fixture
def site_with_search(site: Path) -> Path:
    """The site folder of `site` with search on, as the repository's site.yaml has it."""
    write_site_yaml(site, search=True)
    return site


@pytest.fixture(scope="module")
def normalized_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds normalised once, with a report, for the tests that only read."""
    root = tmp_path_factory.mktemp("seeds-site")
    write_site_yaml(root)
    shutil.copytree(REPO / "seeds", root / "seeds")
    result = run_cli("normalize", "--report", "report.json", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture(scope="session")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The seeds normalised and built for a sub-path, with search (the search page's tests use
    it), served over HTTP for the session."""
    root = tmp_path_factory.mktemp("built-site")
    write_site_yaml(root, search=True)
    shutil.copytree(REPO / "seeds", root / "seeds")
    assert run_cli("normalize", cwd=root).returncode == 0
    port = free_port()
    www = root / "www"
    result = run_cli("build", "--out", "www/xxgk", "--base-url", f"http://127.0.0.1:{port}/xxgk/", cwd=root)
    assert result.returncode == 0, result.stderr
    with http_server(www, port):
        yield Served(root, www, port)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
