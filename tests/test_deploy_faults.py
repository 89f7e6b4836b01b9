"""gongkai deploy against what goes wrong on a real target: deploys killed with SIGKILL at
seeded random moments, releases half deleted, entries gongkai did not make, links where
folders belong, paths that name a system folder, and a deploy with nothing to do."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import (
    MANIFEST,
    UNSERVED,
    complete,
    configure,
    dir_target,
    edit_body,
    files_in,
    live,
    make_site,
    one_line_error,
    release_tree,
    run_cli,
    site_with_dir_target,
)


def releases(target: Path) -> list[str]:
    return sorted(os.listdir(target / "releases"))


def deploy_versions(site: Path, count: int) -> list[Path]:
    """Deploy `count` versions of the site, one after the other; the releases, oldest first."""
    made = []
    for version in range(count):
        if version:
            edit_body(site, 1, f"第二段。第{version}版。")
            assert run_cli("build", "--base-url", UNSERVED, cwd=site).returncode == 0
        result = run_cli("deploy", cwd=site)
        assert result.returncode == 0, result.stderr
        made.append(live(target_of(site)).resolve())
    return made


def target_of(site: Path) -> Path:
    return site.parent / "www"


# --- half-deleted releases and rollback ----------------------------------------------------

@pytest.mark.parametrize("lost", ["index.html", MANIFEST])
def test_rollback_skips_a_half_deleted_release(tmp_path: Path, lost: str) -> None:
    """A deploy killed while it pruned left a release with files gone (here index.html, or
    the manifest too): rollback must pass over it to the newest complete earlier one."""
    site, target = site_with_dir_target(tmp_path, 3)
    first, second, _ = deploy_versions(site, 3)
    served_first = release_tree(first)
    for path in sorted(second.rglob("*"), reverse=True)[: len(list(second.rglob("*"))) // 2]:
        if path.is_file():
            path.unlink()
    (second / lost).unlink(missing_ok=True)
    (second / "index.html").unlink(missing_ok=True)

    back = run_cli("deploy", "--rollback", cwd=site)
    assert back.returncode == 0, back.stderr
    assert live(target).resolve() == first and release_tree(live(target)) == served_first
    assert f"{second.name}" in back.stdout and "incomplete" in back.stdout
    again = run_cli("deploy", "--rollback", cwd=site)
    assert "no earlier complete release" in one_line_error(again) and live(target).resolve() == first


def test_rollback_with_no_earlier_release_says_so_plainly(tmp_path: Path) -> None:
    site, _ = site_with_dir_target(tmp_path, 3)
    never = run_cli("deploy", "--rollback", cwd=site)
    assert "no earlier complete release" in one_line_error(never) and "site.yaml" not in never.stderr
    assert run_cli("deploy", cwd=site).returncode == 0
    once = run_cli("deploy", "--rollback", cwd=site)
    assert "no earlier complete release" in one_line_error(once) and "site.yaml" not in once.stderr


def test_leftovers_of_a_killed_deploy_are_cleared_and_never_made_live(tmp_path: Path) -> None:
    """What a deploy killed while installing or pruning leaves, copied from a real release
    of gongkai's own, goes at the next deploy."""
    site, target = site_with_dir_target(tmp_path, 3, "    keep: 2\n")
    first, _ = deploy_versions(site, 2)
    for leftover in (".partial-29990101T000000Z-0123abcd", ".prune-19990101T000000Z-0123abcd"):
        shutil.copytree(first, target / "releases" / leftover)
    (target / "releases/.partial-29990101T000000Z-0123abcd/index.html").unlink()
    back = run_cli("deploy", "--rollback", cwd=site)
    assert back.returncode == 0 and live(target).resolve() == first
    edit_body(site, 2, "第二段。再版。")
    assert run_cli("build", "--base-url", UNSERVED, cwd=site).returncode == 0
    assert run_cli("deploy", cwd=site).returncode == 0
    assert not [name for name in releases(target) if name.startswith((".partial-", ".prune-"))]
    assert len(releases(target)) == 2 and all(complete(target / "releases" / name) for name in releases(target))


# --- entries gongkai did not make ----------------------------------------------------------

def test_foreign_entries_are_never_deleted_followed_or_made_live(tmp_path: Path) -> None:
    site, target = site_with_dir_target(tmp_path, 3, "    keep: 2\n")
    deploy_versions(site, 1)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not gongkai's")
    folder = target / "releases"
    (folder / ".partial-mine").mkdir()
    (folder / ".partial-mine/notes.txt").write_text("mine")
    (folder / "20000101T000000Z-deadbeef").mkdir()  # named like a release, made by someone else
    (folder / "20000101T000000Z-deadbeef/index.html").write_text("<p>someone else's</p>")
    (folder / "20000102T000000Z-deadbeef").write_text("a file")
    (folder / "20000103T000000Z-deadbeef").symlink_to(elsewhere)
    (folder / ".prune-20000104T000000Z-deadbeef").mkdir()
    (folder / ".prune-20000104T000000Z-deadbeef/index.html").write_text("<p>also someone else's</p>")
    (target / "README.txt").write_text("the web root's own notes")
    foreign = files_in(target / "releases/.partial-mine") | files_in(target / "releases/20000101T000000Z-deadbeef")
    before = {name: (folder / name).lstat().st_ino for name in os.listdir(folder) if "deadbeef" in name or
              name == ".partial-mine"}

    deploy_versions(site, 4)  # three more releases, beyond keep
    for name, inode in before.items():
        assert (folder / name).lstat().st_ino == inode, name
    assert files_in(target / "releases/.partial-mine") | files_in(target / "releases/20000101T000000Z-deadbeef") \
        == foreign
    assert files_in(elsewhere) == {"keep.txt": b"not gongkai's"} and (target / "README.txt").is_file()
    ours = [name for name in releases(target) if name not in before]
    assert len(ours) == 2

    for _ in range(3):  # back as far as it goes: never to a folder gongkai did not make
        back = run_cli("deploy", "--rollback", cwd=site)
        assert "Traceback" not in back.stderr
        assert live(target).resolve().name in ours
    assert "no earlier complete release" in back.stderr


def test_a_releases_link_is_refused(tmp_path: Path) -> None:
    site, target = site_with_dir_target(tmp_path, 3)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / ".partial-x").mkdir(parents=True)
    target.mkdir()
    (target / "releases").symlink_to(elsewhere)
    for args in (("deploy",), ("deploy", "--rollback")):
        result = run_cli(*args, cwd=site)
        assert "releases is a link" in one_line_error(result)
    assert os.listdir(elsewhere) == [".partial-x"] and not (target / "current").exists()


def test_a_foreign_current_new_is_refused_not_removed(tmp_path: Path) -> None:
    site, target = site_with_dir_target(tmp_path, 3)
    (target / "current.new").mkdir(parents=True)
    (target / "current.new/notes.txt").write_text("mine")
    result = run_cli("deploy", cwd=site)
    assert "current.new" in one_line_error(result)
    assert files_in(target / "current.new") == {"notes.txt": b"mine"}


# --- paths and hosts -----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/etc/.", "/usr/./", "/proc/self/cwd", "/sys/kernel", "LINK-TO-ETC"])
def test_a_system_folder_is_refused_however_it_is_written(tmp_path: Path, path: str) -> None:
    if path == "LINK-TO-ETC":
        (tmp_path / "link").symlink_to("/etc")
        path = str(tmp_path / "link")
    site = make_site(tmp_path / "site", 3, UNSERVED)
    configure(site, f"  web:\n    type: dir\n    path: {path}\n    url: {UNSERVED}\n")  # as written, not as a Path
    result = run_cli("deploy", "--dry-run", cwd=site)  # a dry run: today's code must not write to /etc
    assert "deploy.web.path:" in one_line_error(result) and "system folder" in result.stderr


@pytest.mark.parametrize("dest", ["-oProxyCommand@127.0.0.1:/srv/www", "-oProxyCommand:/srv/www"])
def test_an_rsync_host_that_reads_as_an_option_is_refused(tmp_path: Path, dest: str) -> None:
    site = make_site(tmp_path / "site", 3, UNSERVED)
    configure(site, f"  web:\n    type: rsync\n    dest: '{dest}'\n    url: {UNSERVED}\n")
    result = run_cli("deploy", "--dry-run", cwd=site)
    assert "deploy.web.dest:" in one_line_error(result) and "must not begin with -" in result.stderr


# --- nothing changed -----------------------------------------------------------------------

def test_a_deploy_with_nothing_changed_keeps_the_rollback_target(tmp_path: Path) -> None:
    site, target = site_with_dir_target(tmp_path, 3, "    keep: 2\n")
    first, second = deploy_versions(site, 2)
    again = run_cli("deploy", cwd=site)
    assert again.returncode == 0 and "nothing changed" in again.stdout, again.stdout
    assert releases(target) == [first.name, second.name] and live(target).resolve() == second
    assert run_cli("deploy", "--rollback", cwd=site).returncode == 0 and live(target).resolve() == first


# --- deploys killed at random moments ------------------------------------------------------

KILLS = 24
SEED = 20261123
# When a deploy is killed: after a seeded random delay from its start, spread over the time
# the last whole deploy took, or a few seeded random milliseconds after its upload or its
# pruning is seen to begin on the target (each is over in a moment on a small site).
MOMENTS = ("anywhere", ".partial-", ".prune-")


@pytest.mark.long
def test_deploys_killed_at_random_moments_leave_old_or_new_and_no_leftovers(tmp_path: Path) -> None:
    """Deploy two versions of a small site in turn, killing each deploy with SIGKILL at a
    random moment. After each kill the live site is the old version or the new one, whole;
    rolling back as far as it goes makes only complete releases live; the next deploy
    succeeds and leaves nothing of the killed one."""
    target = tmp_path / "www"
    site = make_site(tmp_path / "site", 6, UNSERVED)
    configure(site, dir_target(target, UNSERVED, "    keep: 2\n"))
    assert run_cli("build", "--base-url", UNSERVED, "--out", "public-a", cwd=site).returncode == 0
    edit_body(site, 1, "第二段。乙版。")
    (site / "content/notices/n0002.md").unlink()
    assert run_cli("build", "--base-url", UNSERVED, "--out", "public-b", cwd=site).returncode == 0
    built = {out: release_tree(site / out) for out in ("public-a", "public-b")}
    assert built["public-a"] != built["public-b"]

    def deploy(out: str) -> float:
        started = time.monotonic()
        result = run_cli("deploy", "--out", out, cwd=site)
        assert result.returncode == 0, result.stderr
        assert release_tree(live(target)) == built[out]
        return time.monotonic() - started

    def leftovers() -> list[str]:
        return [name for name in releases(target) if name.startswith(".")]

    def kill(process: subprocess.Popen[bytes], moment: str, took: float) -> bool:
        if moment == "anywhere":
            time.sleep(took * rng.uniform(0.3, 1.05))  # the first third is Python starting and the site being read
        else:
            while process.poll() is None and not any(name.startswith(moment) for name in leftovers()):
                time.sleep(0.0005)
            time.sleep(rng.uniform(0, 0.005))
        if process.poll() is not None:
            return False
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        return True

    rng = random.Random(SEED)
    took = deploy("public-a")
    old, seen = "public-a", dict.fromkeys(MOMENTS, 0) | {"left .partial-": 0, "left .prune-": 0}
    for _ in range(KILLS * 2):
        new = "public-b" if old == "public-a" else "public-a"
        moment = rng.choice(MOMENTS)
        process = subprocess.Popen([sys.executable, "-m", "builder", "deploy", "--out", new], cwd=site,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if kill(process, moment, took):
            seen[moment] += 1
        assert release_tree(live(target)) in (built[old], built[new]), f"a mix after a kill ({moment})"
        for prefix in (".partial-", ".prune-"):
            seen[f"left {prefix}"] += any(name.startswith(prefix) for name in leftovers())
        for _ in range(3):  # back as far as it goes: keep is 2, and the killed deploy may have added one
            back = run_cli("deploy", "--rollback", cwd=site)
            assert "Traceback" not in back.stderr and back.returncode in (0, 1), back.stderr
            assert complete(live(target).resolve()) and release_tree(live(target)) in built.values()
            if back.returncode:
                break
        took = deploy(new)
        assert not leftovers() and all(complete(target / "releases" / name) for name in releases(target))
        old = new
        if sum(seen[moment] for moment in MOMENTS) >= KILLS:
            break
    print(seen)
    assert sum(seen[moment] for moment in MOMENTS) >= KILLS, f"too few deploys were still running when killed: {seen}"
    assert seen["left .partial-"] and seen["left .prune-"], f"no kill landed in an upload or in pruning: {seen}"
