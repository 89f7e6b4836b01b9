"""How a build reaches its output folder: in one step, whole, whenever it is stopped.

The output folder (`public`) is a symbolic link to one of two trees beside it,
`.public.1/` and `.public.2/`. A build makes the new site in the tree that is not live
(the standby), then renames a new link over the old one, which POSIX makes atomic: a web
server serving `public/` finds the old site or the new one, never a mix, and a build
killed at any point leaves the old site live. Renaming a folder over a folder is not
atomic (it must first be gone), and moving changed files in one by one showed a mix of old
and new pages in most builds killed part-way.

The standby is mended, not made afresh: it holds the site of two builds ago (or what a
stopped build left), and a build hard-links in each live file it lacks (the search index
too, which its engine then updates there), unlinks what is not wanted, and writes only the
outputs that changed, each as a new file (its old self may be shared with the live tree).
What the standby lacks is known without walking it when the build before left a `TreeLog`
(what it made anew or removed) and both trees are still the ones it found, by name and
marker: a build removes a tree's marker before it changes anything there, so a tree a
stopped build left half mended, or a live site that is another folder, is walked, file by
file, against the live one. Making a fresh tree for every
build, hard links and all, cost a one-edit rebuild many times more, nearly all of it
creating and deleting a folder per page; mending the standby costs a one-edit rebuild
little, the no-change rebuild nothing (it stops before), and disk space the changed files
only. The first rebuild after a cold build makes the standby's folders once.

Before anything else, a build removes what stopped builds left beside the output folder
(trees of other numbers, unswitched links, search work folders, older builds' staging
folders); builds into one folder take turns (a lock on the folder that holds it). A real
folder left by an older gongkai is replaced by the link in one step too (Linux's renameat2
exchange), then deleted: only a folder the output-folder checks let a build replace
(builder/paths.py) gets this far.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from builder.fsio import writing

TREES = (1, 2)  # the live tree and the standby, by turns
# Written into every output folder by the build: a folder holding it is one gongkai made,
# which a build may replace without --force (builder/paths.py); in a tree, it is written
# last, and removed first when the tree is mended (`TreeLog`).
MARKER = ".gongkai-site"
MARKER_TEXT = "This folder is a site built by gongkai; gongkai build replaces everything in it.\n"


def _tree_name(name: str) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(name)}\.([0-9]+)")


def _leftover_names(name: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """What a stopped build into the output folder `name` leaves beside it, by name."""
    own = re.escape(name)
    return (("a tree of another number", _tree_name(name)),
            ("a link not switched in, or the folder it replaced", re.compile(rf"\.{own}\.link-[0-9]+(?:\.aside)?")),
            ("a search shard's work folder", re.compile(rf"\.(?:\.{own}\.[0-9]+|{own})\.search-.+")),
            ("an older build's staging folder", re.compile(rf"\.{own}\.(?:new|old)-[0-9]+")))


def live_tree(link: Path) -> Path | None:
    """The tree `link` points at when it is gongkai's link to one, else None."""
    try:
        target = os.readlink(link)
    except OSError:  # not a link, or nothing there
        return None
    return link.with_name(target) if _tree_name(link.name).fullmatch(target) else None


def output_place(out: Path) -> Path:
    """Where the output folder is: `out` with every link followed, but for gongkai's own
    link to a tree, which is the output folder itself."""
    if live_tree(out) is not None:
        return out.parent.resolve() / out.name
    return out.resolve()


@contextmanager
def building(link: Path) -> Iterator[None]:
    """Hold the build lock of `link`'s folder: one build at a time writes beside it, so the
    leftovers a build removes are never another's work. The lock ends with the process."""
    descriptor = os.open(link.parent, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def clear_leftovers(link: Path) -> None:
    """Remove what stopped builds into `link` left beside it, all but the two trees."""
    trees = {live_tree(link), *(link.with_name(f".{link.name}.{number}") for number in TREES)}
    rules = [pattern for _, pattern in _leftover_names(link.name)]
    for name in sorted(os.listdir(link.parent)):
        path = link.parent / name
        if path not in trees and any(pattern.fullmatch(name) for pattern in rules):
            _remove(path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def standby_tree(link: Path) -> Path:
    """The tree the next build into `link` makes: the one of the two that is not live."""
    first, second = (link.with_name(f".{link.name}.{number}") for number in TREES)
    tree = second if live_tree(link) == first else first
    with writing(tree):
        if tree.is_symlink() or tree.is_file():
            tree.unlink()
        tree.mkdir(exist_ok=True)
    return tree


def _files(folder: Path) -> dict[str, int]:
    """Every file (or link) under `folder` by its path there, with its inode."""
    found: dict[str, int] = {}

    def visit(path: str, prefix: str) -> None:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    visit(entry.path, f"{prefix}{entry.name}/")
                else:
                    found[prefix + entry.name] = entry.inode()

    visit(str(folder), "")
    return found


Token = tuple[int, int, int, int]  # a marker file's inode, size, modification and change times
Found = tuple[str, Token]  # a tree by its name and its marker


@dataclass(frozen=True)
class TreeLog:
    """How the live tree differs from the standby, left by the build that made the live
    tree: the next build mends the standby by it rather than by walking both trees. It
    holds while both trees are the ones it was made of, each found by its name and marker."""

    live: Found
    standby: Found
    files: frozenset[str]  # files the live tree has anew, or lacks
    folders: frozenset[str]  # folders the live tree has anew, or lacks (search shards)


def found(tree: Path | None) -> Found | None:
    """A tree by its name and its marker file as found now; None when it has no marker."""
    if tree is None:
        return None
    try:
        stat = os.stat(tree / MARKER)
    except OSError:
        return None
    return tree.name, (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def tree_log(link: Path, made: Path, files: Iterable[str], folders: Iterable[str]) -> TreeLog | None:
    """The log a build leaves when it has `made` the new site, before `link` is switched to
    it: the tree live until now becomes the standby; it differs from the new site in
    `files` and `folders`."""
    live, standby = found(made), found(live_tree(link))
    if live is None or standby is None:
        return None
    return TreeLog(live, standby, frozenset(files), frozenset(folders))


def prepare_tree(live: Path | None, tree: Path, unchanged: Iterable[str], whole: str,
                 log: TreeLog | None = None, changing: Iterable[str] = ()) -> None:
    """Make `tree` (the standby: an older site, or what a stopped build left) hold the
    live tree's `unchanged` files and every file under its folder `whole` (the search
    index), as hard links, and nothing else: the build then writes the other files
    (`changing`), each a new file (its old self, unlinked here, may be shared with the live
    tree). By `log` where it holds for both trees (not, say, where the live site is a real
    folder an older gongkai made, or a stopped build left the standby half mended), else by
    walking both trees."""
    with writing(tree):
        held = log is not None and live is not None and log.standby == found(tree) \
            and log.live == found(live_tree(live))
        (tree / MARKER).unlink(missing_ok=True)  # from here until the build writes it anew, the log does not hold
    if held and live is not None and log is not None:
        _mend(live, tree, log, set(changing))
    else:
        _walk_and_mend(live, tree, unchanged, whole)


def _mend(live: Path, tree: Path, log: TreeLog, changing: set[str]) -> None:
    """The standby, as the build before last left it, made the live tree but for `changing`:
    what the last build made anew or removed (`log`) and what this one will write."""
    with writing(tree):
        emptied: set[str] = set()
        for path in sorted(log.files | changing):
            try:
                os.unlink(f"{tree}/{path}")
            except FileNotFoundError:
                continue
            emptied.add(path.rpartition("/")[0])
        for folder in sorted(log.folders):
            _remove(tree / folder)
            emptied.add(folder.rpartition("/")[0])
        _remove_empty(tree, emptied)
        taken = [path for path in log.files - changing if os.path.isfile(f"{live}/{path}")]
        for folder in sorted(log.folders):
            if (live / folder).is_dir():
                taken += [f"{folder}/{path}" for path in _files(live / folder)]
        _link_all(live, tree, taken)


def _link_all(live: Path, tree: Path, paths: Iterable[str]) -> None:
    """Hard-link each of `paths` from the live tree into `tree`, making folders on the way."""
    made: set[str] = {""}
    for path in paths:
        folder = path.rpartition("/")[0]
        if folder not in made:
            _make_folder(tree, folder, made)
        _link(f"{live}/{path}", f"{tree}/{path}")


def _make_folder(tree: Path, folder: str, made: set[str]) -> None:
    """`folder` under `tree`, and the folders above it not yet `made`: one mkdir each (a
    site has a folder per page; os.makedirs would look at every folder above it again)."""
    parent = folder.rpartition("/")[0]
    if parent not in made:
        _make_folder(tree, parent, made)
    with suppress(FileExistsError):
        os.mkdir(f"{tree}/{folder}")
    made.add(folder)


def _walk_and_mend(live: Path | None, tree: Path, unchanged: Iterable[str], whole: str) -> None:
    """`prepare_tree` by walking `tree` and the live tree's `whole`, stating each live file
    wanted: for a standby no log holds for."""
    have = _files(tree)
    take = list(unchanged)
    if live is not None and (live / whole).is_dir():
        take += [f"{whole}/{path}" for path in _files(live / whole)]
    wanted = {path: os.stat(f"{live}/{path}").st_ino for path in take}
    keep = {path for path, inode in have.items() if wanted.get(path) == inode}
    emptied: set[str] = set()
    with writing(tree):
        for path in sorted(have.keys() - keep):  # what goes, what is replaced and what is written again
            os.unlink(f"{tree}/{path}")
            emptied.add(path.rpartition("/")[0])
        _remove_empty(tree, emptied)
        if live is not None:
            _link_all(live, tree, wanted.keys() - keep)


def _link(source: str, target: str) -> None:
    """A hard link; on a file system without them, a copy with the same modification
    time (the build's record compares it)."""
    try:
        os.link(source, target)
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.EMLINK, errno.EXDEV, errno.ENOTSUP):
            raise
        shutil.copy2(source, target)


def _remove_empty(tree: Path, folders: set[str]) -> None:
    """Remove each of `folders` (and the folders above it) that is left empty."""
    for folder in sorted(folders, key=lambda path: -path.count("/")):
        while folder:
            try:
                os.rmdir(f"{tree}/{folder}")
            except OSError:  # not empty, or gone already
                break
            folder = folder.rpartition("/")[0]


def switch(link: Path, tree: Path) -> None:
    """Make `tree` live: a new link renamed over `link` in one step. A real folder at
    `link` (an older gongkai's output) is exchanged with the new link, then deleted."""
    new = link.with_name(f".{link.name}.link-{os.getpid()}")
    with writing(link):
        _remove(new)
        os.symlink(tree.name, new)
        if link.is_dir() and not link.is_symlink():
            _exchange(new, link)
            shutil.rmtree(new)
        else:
            os.replace(new, link)


RENAME_EXCHANGE = 2  # from <linux/fs.h>
AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> None:
    """Swap two paths in one step (renameat2, Linux 3.15 and glibc 2.28 on); where there
    is no such call, in two renames, with `second` missing between them."""
    call = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if call is not None and call(AT_FDCWD, bytes(first), AT_FDCWD, bytes(second), RENAME_EXCHANGE) == 0:
        return
    failed = ctypes.get_errno() if call is not None else errno.ENOSYS
    if failed not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        raise OSError(failed, os.strerror(failed), str(second))
    aside = second.with_name(f"{first.name}.aside")
    os.rename(second, aside)
    os.rename(first, second)
    os.rename(aside, first)
