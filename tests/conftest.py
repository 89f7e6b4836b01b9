"""Shared helpers: every test drives the real CLI in a real site folder."""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, sync_playwright

REPO = Path(__file__).resolve().parent.parent
# The tests read gongkai's messages in English (its default is Chinese): every CLI they start
# inherits this. tests/test_i18n.py asks for Chinese where it needs it.
os.environ["LC_ALL"] = "en_US.UTF-8"
SEEDS = sorted((REPO / "seeds").glob("*.txt"))


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "builder", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)


def read_notice(path: Path) -> tuple[dict, str]:
    """(front matter, Markdown body) of a content file."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def _unstable(path: Path) -> bool:
    """Pagefind writes its filter tables (a few small files, and the two files that name
    them) in an order of its own (Pagefind issue #638); its fragments and word index, and
    everything gongkai writes, are byte-stable."""
    return path.parts[0] == "pagefind" and ("filter" in path.parts or path.name == "pagefind-entry.json"
                                            or path.suffix == ".pf_meta")


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by its path there, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def site_tree(folder: Path) -> dict[str, bytes]:
    """Every file of a built site by path, for comparing two builds byte for byte."""
    return {path: data for path, data in files_in(folder).items() if not _unstable(Path(path))}


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


CHROMIUM = "/usr/bin/chromium"
# Flags for a sandboxed CI machine with no network but loopback.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """A built site under /xxgk/ on a real HTTP server on loopback."""

    def __init__(self, root: Path, www: Path, port: int) -> None:
        self.root, self.www, self.port = root, www, port
        self.public = www / "xxgk"
        self.base = f"http://127.0.0.1:{port}/xxgk/"


@pytest.fixture(scope="session")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The seeds normalised and built for a sub-path, served over HTTP for the session."""
    root = tmp_path_factory.mktemp("built-site")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "seeds", root / "seeds")
    assert run_cli("normalize", cwd=root).returncode == 0
    port = free_port()
    www = root / "www"
    result = run_cli("build", "--out", "www/xxgk", "--base-url", f"http://127.0.0.1:{port}/xxgk/", cwd=root)
    assert result.returncode == 0, result.stderr
    with http_server(www, port):
        yield Served(root, www, port)


@contextmanager
def http_server(directory: Path, port: int) -> Iterator[None]:
    """A static HTTP server for `directory` on loopback, for as long as the block runs."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.RequestHandlerClass.log_message = lambda *args: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
