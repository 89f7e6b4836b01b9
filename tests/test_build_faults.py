"""Builds killed with SIGKILL at seeded random moments: the output folder holds the old
site or the new one, byte for byte; the next build equals a clean build and leaves
nothing of the killed ones beside the output folder; no worker process outlives its build.
And a change to gongkai's own code re-renders the pages it shows in."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from tests.helpers import REPO, edit, files_in, generate_site, notice, run_cli, site_tree


def processes() -> dict[int, tuple[int, str]]:
    """Every live process: pid → (parent pid, state); a zombie has ended."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:  # ended while we looked
                continue
            state, parent = stat.rpartition(")")[2].split()[:2]  # the name, in brackets, may hold spaces
            found[int(entry)] = (int(parent), state)
    return found


def descendants(pid: int) -> set[int]:
    table = processes()
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = {child for child, (ppid, _) in table.items() if ppid == parent and child not in found}
        found |= children
        todo.extend(children)
    return found


def wait_until_gone(pids: set[int], seconds: float) -> set[int]:
    """The pids still alive (not zombies) after up to `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        table = processes()
        alive = {pid for pid in pids if pid in table and table[pid][1] != "Z"}
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.02)


def start_build(site: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "builder", "build", "--jobs", "2", *args], cwd=site,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill(build: subprocess.Popen[bytes]) -> None:
    """SIGKILL the build; every process it started that runs gongkai's code must end with it
    (its pool workers; a search engine it runs is its own program)."""
    workers = {pid for pid in descendants(build.pid) if _is_python(pid)}
    build.send_signal(signal.SIGKILL)
    build.wait()
    assert not wait_until_gone(workers, 5), "pool workers outlived their build"


def _is_python(pid: int) -> bool:
    try:
        return os.readlink(f"/proc/{pid}/exe") == os.path.realpath(sys.executable)
    except OSError:
        return False


def leftovers(site: Path) -> list[str]:
    """What builds into public/ left beside it, but its two trees: the live one and the
    standby the next build makes the new site in."""
    return sorted(name for name in os.listdir(site) if name.startswith((".public.", "..public."))
                  and name not in (".public.1", ".public.2"))


def write_site(site: Path, files: dict[str, bytes]) -> None:
    """Make the site's inputs exactly `files` (a snapshot of content/ and site.yaml)."""
    for path in [*(site / "content").rglob("*"), site / "site.yaml"]:
        name = path.relative_to(site).as_posix()
        if path.is_file() and name not in files:
            path.unlink()
    for name, data in files.items():
        target = site / name
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def inputs(site: Path) -> dict[str, bytes]:
    found = {f"content/{name}": data for name, data in files_in(site / "content").items()}
    return {**found, "site.yaml": (site / "site.yaml").read_bytes()}


def change(site: Path) -> None:
    """Every page changes (the site's title), and notices are edited, added and deleted."""
    edit(site / "site.yaml", "title: 教育信息公开", "title: 示例信息公开")
    edit(notice(site, 5), "第二段。", "第二段，改过。")
    notice(site, 7).unlink()
    (site / "content/notices/zz-new.md").write_text("---\ntitle: 新增的通知\npublished: '2030-01-01'\n---\n\n正文。\n",
                                                    encoding="utf-8")


def edit_bodies(site: Path) -> None:
    """Two notices' bodies edited, nothing else: builds plan from the last build's frame."""
    edit(notice(site, 5), "第二段。", "第二段，改过。")
    edit(notice(site, 11), "第二段。", "第二段，也改过。")


class Versions:
    """Two versions of a site's inputs, each with the tree a clean build of it gives; the
    site is built as version 0."""

    def __init__(self, tmp: Path, count: int, search: bool, changed: Callable[[Path], None] = change) -> None:
        self.site = tmp / "site"
        self.site.mkdir()
        generate_site(self.site, count, search=search)
        self.search = search
        self.inputs = [inputs(self.site)]
        assert run_cli("build", cwd=self.site).returncode == 0
        self.trees = [self.tree(self.site / "public")]
        changed(self.site)
        self.inputs.append(inputs(self.site))
        self.trees.append(self.clean_tree(tmp / "clean-1", self.inputs[1]))

    def clean_tree(self, folder: Path, files: dict[str, bytes]) -> dict[str, bytes]:
        folder.mkdir()
        write_site(folder, files)
        assert run_cli("build", cwd=folder).returncode == 0
        return self.tree(folder / "public")

    def tree(self, public: Path) -> dict[str, bytes]:
        """A built site's files; with search, Pagefind's unstable filter tables left out."""
        return site_tree(public) if self.search else files_in(public)

    def which(self, public: Path) -> int | None:
        """0 or 1: which version's clean tree `public` holds, byte for byte; None for neither."""
        found = self.tree(public) if public.is_dir() else {}
        return next((number for number, tree in enumerate(self.trees) if tree == found), None)

    def build(self, version: int) -> None:
        write_site(self.site, self.inputs[version])
        result = run_cli("build", "--jobs", "2", cwd=self.site)
        assert result.returncode == 0, result.stderr
        assert self.which(self.site / "public") == version
        assert leftovers(self.site) == []

    def timed_build(self, version: int) -> float:
        write_site(self.site, self.inputs[version])
        started = time.monotonic()
        self.build(version)
        return time.monotonic() - started

    def killed_build(self, version: int, delay: float) -> None:
        write_site(self.site, self.inputs[version])
        build = start_build(self.site)
        time.sleep(delay)
        kill(build)


def kill_at_random(versions: Versions, kills: int, seed: int, finish_every: int = 2) -> None:
    """Builds towards alternate versions killed at seeded random moments of a build's run;
    after each kill the site is the old version or the new one, and every `finish_every`
    kills a build runs to its end and gives the clean tree, with no leftovers."""
    rng = random.Random(seed)
    span = versions.timed_build(1)
    before = 1
    for number in range(kills):
        target = 1 - before
        versions.killed_build(target, rng.uniform(0.15, 1.1) * span)
        found = versions.which(versions.site / "public")
        assert found in (before, target), f"kill {number}: the output folder is neither the old site nor the new one"
        before = found
        if number % finish_every == finish_every - 1:
            versions.build(target)
            before = target


@pytest.mark.long
def test_killed_incremental_builds_leave_the_old_site_or_the_new_one(tmp_path: Path) -> None:
    kill_at_random(Versions(tmp_path, 60, search=False), kills=20, seed=1, finish_every=4)


def test_killed_incremental_builds_with_search_leave_the_old_site_or_the_new_one(tmp_path: Path) -> None:
    kill_at_random(Versions(tmp_path, 12, search=True), kills=3, seed=2)


def test_killed_builds_of_body_edits_leave_the_old_site_or_the_new_one(tmp_path: Path) -> None:
    kill_at_random(Versions(tmp_path, 30, search=True, changed=edit_bodies), kills=6, seed=4)


def test_killed_first_builds_leave_no_site_or_the_whole_new_one(tmp_path: Path) -> None:
    versions = Versions(tmp_path, 60, search=False)
    rng = random.Random(3)
    shutil.rmtree(versions.site / ".gongkai-cache")
    (versions.site / "public").unlink()
    span = versions.timed_build(1)
    for number in range(4):
        shutil.rmtree(versions.site / ".gongkai-cache", ignore_errors=True)
        (versions.site / "public").unlink(missing_ok=True)
        versions.killed_build(1, rng.uniform(0.15, 1.1) * span)
        public = versions.site / "public"
        assert not public.exists() or versions.which(public) == 1, f"kill {number}: a half site"
    versions.build(1)


def test_a_site_built_by_an_older_gongkai_into_a_real_folder_is_moved_behind_the_link(tmp_path: Path) -> None:
    """Older builds made public/ a real folder: it is replaced only whole, killed or not."""
    versions = Versions(tmp_path, 60, search=False)
    rng = random.Random(4)
    public = versions.site / "public"
    old = tmp_path / "old-public"
    shutil.copytree(public, old)  # the tree, as a real folder
    span = versions.timed_build(1)
    for number in range(4):
        _make_real(public, old)
        versions.killed_build(1, rng.uniform(0.15, 1.1) * span)
        assert versions.which(public) in (0, 1), f"kill {number}: a half site"
    _make_real(public, old)
    versions.build(1)
    assert public.is_symlink()


def test_a_real_folder_put_in_place_of_the_link_is_not_mended_by_the_last_builds_log(tmp_path: Path) -> None:
    """The last build's log says how its live tree differs from the standby; a live site
    that is no longer that tree (here an older gongkai's real folder of another version)
    has the standby walked, not mended by the log."""
    versions = Versions(tmp_path, 20, search=False)  # version 0, in the first tree
    public = versions.site / "public"
    old = tmp_path / "old-public"
    shutil.copytree(public, old)
    versions.build(1)  # the second tree live, with a log of how the first differs from it
    _make_real(public, old)  # version 0 in a real folder
    versions.build(1)


def _make_real(public: Path, tree: Path) -> None:
    if public.is_symlink():
        public.unlink()
    else:
        shutil.rmtree(public)
    shutil.copytree(tree, public)
    for name in leftovers(public.parent):
        shutil.rmtree(public.parent / name)


def test_pool_workers_die_with_a_killed_build(tmp_path: Path) -> None:
    generate_site(tmp_path, 300)
    build = start_build(tmp_path)
    deadline = time.monotonic() + 60
    while not {pid for pid in descendants(build.pid) if _is_python(pid)}:
        assert build.poll() is None and time.monotonic() < deadline, "the build used no pool"
        time.sleep(0.01)
    time.sleep(0.2)  # into the work
    kill(build)


# --- gongkai's own code -----------------------------------------------------------------

def copy_of_gongkai(folder: Path, change: Callable[[Path], None]) -> dict[str, str]:
    """An environment that runs a copy of gongkai's package (and default theme) at `folder`."""
    if not (folder / "builder").is_dir():
        shutil.copytree(REPO / "builder", folder / "builder", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(REPO / "theme", folder / "theme")
    change(folder)
    return {**os.environ, "PYTHONPATH": str(folder)}


def test_a_change_to_gongkais_code_re_renders_the_pages_it_shows_in(tmp_path: Path) -> None:
    site, package = tmp_path / "site", tmp_path / "package"
    site.mkdir()
    generate_site(site, 10)
    build = [sys.executable, "-m", "builder", "build"]
    env = copy_of_gongkai(package, lambda _: None)
    assert subprocess.run(build, cwd=site, env=env, check=False, capture_output=True).returncode == 0
    page = site / "public/notices/n0003/index.html"
    assert "成文日期" in page.read_text(encoding="utf-8")
    relabel = partial(edit, old='DATE, "成文日期"', new='DATE, "成文时间"')  # the schema's label of `written`
    env = copy_of_gongkai(package, lambda folder: relabel(folder / "builder/schema.py"))
    rebuilt = subprocess.run(build, cwd=site, env=env, check=False, capture_output=True, text=True)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "成文时间" in page.read_text(encoding="utf-8") and "成文日期" not in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["builder/views.py", "builder/data"])
def test_the_code_digest_is_of_the_packages_files(name: str) -> None:
    """Each source file and data file of the package is part of the digest."""
    from builder.stamp import code_files

    files = [path.relative_to(REPO).as_posix() for path in code_files()]
    assert any(path == name or path.startswith(name + "/") for path in files)
    assert not any("__pycache__" in path for path in files)


def test_a_build_stopped_after_its_switch_before_saving_its_state_is_mended(tmp_path: Path) -> None:
    """A build killed between putting its tree live and saving its state leaves the state of
    the build before: the next build finds the live tree not as that state says, renders
    the pages again and reindexes the search shards whose files differ (a deleted notice
    stayed searchable when the shard's key alone was trusted)."""
    versions = Versions(tmp_path, 12, search=True)  # built as version 0
    versions.build(1)  # n0007 deleted
    saved = tmp_path / "saved-cache"
    shutil.copytree(versions.site / ".gongkai-cache", saved)
    versions.build(0)  # switched in ...
    shutil.rmtree(versions.site / ".gongkai-cache")
    shutil.copytree(saved, versions.site / ".gongkai-cache")  # ... but its state never saved
    versions.build(1)  # equal to a clean build of version 1, its index included
    fragments = {path for path in files_in(versions.site / "public") if path.endswith(".pf_fragment")}
    assert fragments == {path for path in versions.trees[1] if path.endswith(".pf_fragment")}
