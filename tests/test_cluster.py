"""`gongkai build --cluster`: a real Dask cluster on loopback (a scheduler and two workers,
each its own process) renders the notice pages and indexes the search shards; the site is
the one a local build makes, even when a worker is killed mid-build, and a scheduler that
is not there is a one-line error with nothing written."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import free_port, generate_site, run_cli, site_tree

pytest.importorskip("distributed")
# One worker runs them all: one cluster and one local build for the module (pyproject.toml)
pytestmark = pytest.mark.xdist_group("cluster")

NOTICES = 300


def _start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "dask", *args, "--no-dashboard"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _workers_ready(address: str, count: int) -> None:
    from distributed import Client

    with Client(address, timeout=30) as client:
        client.wait_for_workers(count, timeout=60)


class Cluster:
    def __init__(self, port: int) -> None:
        self.address = f"tcp://127.0.0.1:{port}"
        self.scheduler = _start("scheduler", "--host", "127.0.0.1", "--port", str(port))
        # --no-nanny: a worker is one process, so killing it kills the worker (no nanny restarts it)
        self.workers = [_start("worker", self.address, "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1")
                        for _ in range(2)]
        _workers_ready(self.address, 2)

    def stop(self) -> None:
        for process in [*self.workers, self.scheduler]:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    started = Cluster(free_port())
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def local_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The site built here, without a cluster: what a cluster build must equal, search index
    and all (the cluster indexes its shards)."""
    root = tmp_path_factory.mktemp("local")
    generate_site(root, NOTICES, search=True)
    built = run_cli("build", cwd=root)
    assert built.returncode == 0, built.stderr
    return site_tree(root / "public")


def _copy_of(tmp_path: Path, search: bool = False) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    generate_site(root, NOTICES, search=search)
    return root


def test_a_cluster_build_is_the_local_build(tmp_path: Path, cluster: Cluster, local_build: dict[str, bytes]) -> None:
    root = _copy_of(tmp_path, search=True)
    built = run_cli("build", "--cluster", cluster.address, cwd=root)
    assert built.returncode == 0, built.stderr
    assert site_tree(root / "public") == local_build
    # and again after an edit: the one page on the cluster, the lists here
    notice = root / "content/notices/n0007.md"
    notice.write_text(notice.read_text(encoding="utf-8").replace("第一段", "修订后的第一段"), encoding="utf-8")
    rebuilt = run_cli("build", "--cluster", cluster.address, cwd=root)
    assert rebuilt.returncode == 0, rebuilt.stderr
    local = tmp_path / "local"
    shutil.copytree(root / "content", local / "content")
    shutil.copy(root / "site.yaml", local / "site.yaml")
    assert run_cli("build", cwd=local).returncode == 0
    assert site_tree(root / "public") == site_tree(local / "public")


def test_a_worker_killed_mid_build_leaves_a_whole_identical_site(tmp_path: Path, cluster: Cluster,
                                                                 local_build: dict[str, bytes]) -> None:
    root = _copy_of(tmp_path, search=True)
    build = subprocess.Popen([sys.executable, "-m", "builder", "build", "--cluster", cluster.address], cwd=root,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    victim = cluster.workers[0]
    deadline = time.monotonic() + 60
    # the first page a worker writes: both are then planning or rendering their tasks
    while not any(root.glob(".public.*/notices/*/index.html")) and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(victim.pid, signal.SIGKILL)
    _, errors = build.communicate(timeout=180)
    assert build.returncode == 0, errors.decode()
    assert site_tree(root / "public") == local_build
    cluster.workers[0] = _start("worker", cluster.address, "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1")
    _workers_ready(cluster.address, 2)


def test_an_unreachable_scheduler_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    root = _copy_of(tmp_path)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    built = run_cli("build", "--cluster", address, cwd=root)
    assert built.returncode == 1
    assert address in built.stderr and len(built.stderr.strip().splitlines()) == 1, built.stderr
    assert "Connection refused" in built.stderr  # said at once, not after Dask's client gives up trying
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_an_old_site_stays_live_when_the_scheduler_is_gone(tmp_path: Path) -> None:
    root = _copy_of(tmp_path)
    assert run_cli("build", cwd=root).returncode == 0
    live = site_tree(root / "public")
    notice = root / "content/notices/n0003.md"
    notice.write_text(notice.read_text(encoding="utf-8") + "\n新增一段。\n", encoding="utf-8")
    assert run_cli("build", "--cluster", "tcp://127.0.0.1:9", cwd=root).returncode == 1
    assert site_tree(root / "public") == live


def test_without_dask_a_cluster_build_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.cluster import connect
    from builder.errors import GongkaiError

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed: importing it fails
    with pytest.raises(GongkaiError) as raised:
        connect("tcp://127.0.0.1:8786")
    message = str(raised.value)
    assert "gongkai[cluster]" in message and len(message.splitlines()) == 1, message


def test_site_yaml_names_the_cluster(tmp_path: Path) -> None:
    root = _copy_of(tmp_path)
    config = root / "site.yaml"
    plain = config.read_text(encoding="utf-8")
    config.write_text(plain + "build:\n  cluster: scheduler:8786\n", encoding="utf-8")
    refused = run_cli("build", cwd=root)
    line = len(plain.splitlines()) + 2  # the line of cluster:
    assert refused.returncode == 1
    assert refused.stderr.strip() == (f"error: site.yaml:{line}: build.cluster: expected a Dask scheduler's address "
                                      "such as tcp://scheduler:8786")
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there: the build goes to it, and says so
    config.write_text(plain + f"build:\n  cluster: {address}\n", encoding="utf-8")
    built = run_cli("build", cwd=root)
    assert built.returncode == 1 and address in built.stderr
