"""Full-text search: a Pagefind index of the notice pages, written into the site.

Pagefind's extended binary (from the `pagefind[extended]` package) segments Chinese, so a
two-character word inside a sentence is found. Only notice pages are indexed; what of a
page goes into the index (body, 发文字号, attachments) and which filters and metadata the
results carry is marked up in the theme's notice template with data-pagefind-* attributes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

from builder.errors import GongkaiError, Problem

SEARCH_DIR = "pagefind"  # the folder of the index inside the site; the theme's search page loads it
INDEXED_GLOB = "notices/*/index.html"


def indexed(path: str) -> bool:
    """Whether a site path is a page that goes into the index."""
    parts = path.split("/")
    return len(parts) == 3 and parts[0] == "notices" and parts[2] == "index.html"


def engine_version() -> str:
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


def write_index(site: Path) -> None:
    """(Re)index the notice pages of `site` into site/pagefind/. The new index is written
    beside the old one and renamed into place, so a failed run leaves the old one."""
    target = site / SEARCH_DIR
    fresh = site.with_name(f".{site.name}.{SEARCH_DIR}-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    command = [_executable(), "--site", str(site), "--glob", INDEXED_GLOB, "--output-path", str(fresh), "--silent"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        shutil.rmtree(fresh, ignore_errors=True)
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise GongkaiError(Problem(SEARCH_DIR, "indexing for search failed: " + (detail[-1] if detail else
                                                                                  f"exit {done.returncode}")))
    old = site.with_name(f".{site.name}.{SEARCH_DIR}-old-{os.getpid()}")
    if target.exists():
        os.rename(target, old)
    os.rename(fresh, target)
    shutil.rmtree(old, ignore_errors=True)
