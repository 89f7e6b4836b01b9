"""Full-text search: Pagefind indexes of the notice pages, written into the site.

Pagefind's extended binary (from the `pagefind[extended]` package) segments Chinese, so a
two-character word inside a sentence is found. Only notice pages are indexed; what of a
page goes into the index (body, 发文字号, attachments) and which filters and metadata the
results carry is marked up in the theme's notice template with data-pagefind-* attributes.

A Pagefind run holds its whole index in memory (about 1.2 GB and 16 s per 1,000 notices
of 9,000 characters), so the index is split into shards: one per year, a large year split
further by a stable hash of the page path. An edit reindexes only its shard, a cold build
indexes shards side by side, and the search page merges them (Pagefind's mergeIndex).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import zlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from math import ceil
from pathlib import Path

from builder.errors import GongkaiError, Problem

SEARCH_DIR = "pagefind"  # the folder of the shards inside the site; the theme's search page loads them
# Pagefind writes its ready-made search UIs into every index (no option to leave them out,
# Pagefind issue #1183); the 搜索 page has its own, so they would only be uploaded.
UNUSED_BUNDLE_FILE = re.compile(r"pagefind-(?:component-ui|modular-ui|ui|highlight)\.(?:js|css)")
SHARD_SIZE = 800  # notices per shard at most: bounds a Pagefind run's memory and an edit's reindexing
_RUNNING: set[subprocess.Popen[str]] = set()  # Pagefind runs under way, for stop_indexing()
_RUNNING_LOCK = threading.Lock()
_STOPPED = threading.Event()


@dataclass(frozen=True)
class Shard:
    name: str  # its folder under pagefind/
    pages: tuple[str, ...]  # the site paths of the notice pages it indexes


def indexed(path: str) -> bool:
    """Whether a site path is a page that goes into the index."""
    parts = path.split("/")
    return len(parts) == 3 and parts[0] == "notices" and parts[2] == "index.html"


def plan_shards(pages_by_year: Mapping[str, list[str]]) -> list[Shard]:
    """Shards by year, newest first; a year of more than SHARD_SIZE pages is split by a hash
    of each path, so adding a notice leaves the other shards of its year alone."""
    shards = []
    for year in sorted(pages_by_year, reverse=True):
        pages = sorted(pages_by_year[year])
        parts = ceil(len(pages) / SHARD_SIZE)
        if parts <= 1:
            shards.append(Shard(year, tuple(pages)))
            continue
        for part in range(parts):
            members = tuple(p for p in pages if zlib.crc32(p.encode("utf-8")) % parts == part)
            shards.append(Shard(f"{year}-{part + 1}", members))
    return shards


def engine_version() -> str:
    from importlib import metadata  # not at the top: its import is a tenth of a rebuild without search

    try:
        return metadata.version("pagefind-bin-extended")
    except metadata.PackageNotFoundError:
        return "missing"


def _executable() -> str:
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:
        needed = "search needs the pagefind[extended] package (pip install 'pagefind[extended]'), or set search: false"
        raise GongkaiError(Problem("site.yaml", needed, field="search")) from None
    return str(get_executable())


def _write_shard(site: Path, shard: Shard, command_start: list[str]) -> None:
    """Index one shard's pages into site/pagefind/<name>/: Pagefind reads a folder holding
    links to just those pages, writes beside the old index, and the new one is renamed in."""
    work = site.parent / f".{site.name}.search-{shard.name}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        for page in shard.pages:
            link = work / "pages" / page
            link.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(site / page, link)
            except OSError:  # a file system without hard links
                shutil.copyfile(site / page, link)
        command = [*command_start, "--site", str(work / "pages"), "--output-path", str(work / "index"), "--silent"]
        with _RUNNING_LOCK:
            if _STOPPED.is_set():
                raise GongkaiError(Problem(f"{SEARCH_DIR}/{shard.name}", "indexing stopped"))
            run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            _RUNNING.add(run)
        with run:
            try:
                stdout, stderr = run.communicate()
            finally:
                with _RUNNING_LOCK:
                    _RUNNING.discard(run)
        if run.returncode != 0:
            detail = (stderr or stdout).strip().splitlines()
            raise GongkaiError(Problem(f"{SEARCH_DIR}/{shard.name}", "indexing for search failed: "
                                       + (detail[-1] if detail else f"exit {run.returncode}")))
        for name in os.listdir(work / "index"):
            if UNUSED_BUNDLE_FILE.fullmatch(name):
                os.remove(work / "index" / name)
        target = site / SEARCH_DIR / shard.name
        target.parent.mkdir(exist_ok=True)
        if target.exists():
            os.rename(target, work / "old")
        os.rename(work / "index", target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def stop_indexing() -> None:
    """End the Pagefind runs under way, and start no more: a preview that stops must not
    leave them writing into its folder."""
    with _RUNNING_LOCK:
        _STOPPED.set()
        for run in _RUNNING:
            run.kill()


def update_index(site: Path, shards: list[Shard], keys: Mapping[str, str], done: Mapping[str, str],
                 jobs: int, background: bool = False) -> dict[str, str]:
    """Bring site/pagefind/ up to date: reindex each shard whose key differs from the one it
    was `done` with (or whose files are gone), side by side; remove shards no longer
    planned. Returns the key of every shard now in place. In the `background` (a preview's
    indexing beside its rebuilds) Pagefind runs at a lower priority, so rebuilds go first."""
    root = site / SEARCH_DIR
    if not shards:
        shutil.rmtree(root, ignore_errors=True)
        return {}
    if root.is_dir():
        for stale in sorted(set(os.listdir(root)) - set(keys)):
            shutil.rmtree(root / stale, ignore_errors=True)
    todo = [s for s in shards if done.get(s.name) != keys[s.name] or not (root / s.name / "pagefind.js").is_file()]
    if todo:
        nice = shutil.which("nice") if background else None
        command_start = [*([nice, "-n", "15"] if nice else []), _executable()]
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            list(pool.map(lambda shard: _write_shard(site, shard, command_start), todo))
    return dict(keys)
