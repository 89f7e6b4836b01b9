"""Writing a site: what is new goes to a staging folder first, then into place.

A cold build swaps the whole staged site in. An incremental build stages only the outputs
whose key changed, then moves each into place and deletes outputs whose source is gone;
a failure before that point leaves the previous site as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.parallel import fork_pool


def digest(*parts: Any) -> str:
    """A stable key for what an output depends on: its parts are tuples, lists and dicts of
    text, numbers and None, built in a fixed order, so their repr is stable too."""
    return hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Output:
    path: str  # where it goes inside the site
    key: str  # digest of everything it depends on
    make: Callable[[], str | bytes] | None = None  # renders it
    source: Path | None = None  # or a file it is a copy of


def _write(root: Path, output: Output) -> None:
    target = root / output.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if output.source is not None:
        shutil.copyfile(output.source, target)
        return
    assert output.make is not None
    data = output.make()
    target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


# The outputs a forked worker renders; set before the pool forks, so nothing is pickled.
_PENDING: list[Output] = []


def _render_chunk(root: str, indexes: list[int]) -> int:
    for index in indexes:
        _write(Path(root), _PENDING[index])
    return len(indexes)


class Progress:
    """A one-line bar on a terminal; silent when the output is a file or a pipe."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.shown = sys.stderr.isatty() and total >= 200

    def advance(self, count: int) -> None:
        self.done += count
        if self.shown:
            width = 30
            filled = width * self.done // max(self.total, 1)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} pages")
            sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 60 + "\r")


def render(outputs: list[Output], staging: Path, jobs: int) -> None:
    """Every output into `staging`, across `jobs` processes when that pays."""
    global _PENDING
    progress = Progress(len(outputs))
    pool = fork_pool(len(outputs), jobs)
    if pool is None:
        for output in outputs:
            _write(staging, output)
            progress.advance(1)
        progress.close()
        return
    _PENDING = outputs
    try:
        size = max(1, min(256, len(outputs) // (jobs * 8)))
        chunks = [list(range(i, min(i + size, len(outputs)))) for i in range(0, len(outputs), size)]
        with pool:
            for count in pool.map(_render_chunk, [str(staging)] * len(chunks), chunks):
                progress.advance(count)
    finally:
        _PENDING = []
        progress.close()


def swap_in(built: Path, out: Path) -> None:
    """Replace `out` with `built`; `out` is only ever missing between two renames."""
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        os.rename(out, old)
    os.rename(built, out)
    if old.exists():
        shutil.rmtree(old)


def move_in(staging: Path, out: Path, paths: Iterable[str], removed: Iterable[str]) -> None:
    """Put each staged file in place (one rename each), then delete the outputs that went."""
    for path in paths:
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / path, target)
    for path in removed:
        target = out / path
        target.unlink(missing_ok=True)
        folder = target.parent
        while folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    shutil.rmtree(staging, ignore_errors=True)
