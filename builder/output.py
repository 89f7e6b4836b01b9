"""Writing a site: what is new goes to a staging folder first, then into place.

A cold build swaps the whole staged site in. An incremental build stages only the outputs
whose key changed, then moves each into place and deletes outputs whose source is gone;
a failure before that point leaves the previous site as it was.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from builder.errors import Problem
from builder.fsio import writing
from builder.parallel import parallel_map


@dataclass(frozen=True)
class Origin:
    """What put an output in the plan, for errors: a file, and the field in it."""

    file: str
    field: str | None = None

    def problem(self, message: str) -> Problem:
        """A problem with an output, named by what put it in the plan."""
        return Problem(self.file, message, field=self.field)

    def __str__(self) -> str:
        return f"{self.file} ({self.field})" if self.field else self.file


OWN_PAGES = Origin("gongkai's own pages")  # the home page, the lists, feeds …: made of the whole site


@dataclass(frozen=True)
class Output:
    """One file of the site as planned: where it goes, the key of all it depends on, how it
    is made (rendered, or copied from a file) and what planned it, for errors."""

    path: str  # where it goes inside the site
    key: str  # digest of everything it depends on
    make: Callable[[], str | bytes] | None = None  # renders it
    source: Path | None = None  # or a file it is a copy of
    origin: Origin = OWN_PAGES  # what planned it, for errors


def write_output(target: Path, output: Output) -> None:
    """Render or copy one output to `target`; a full disk and the like is a one-line error
    naming the file."""
    data = output.make() if output.make is not None else None
    with writing(target):  # a full disk is a one-line error, and the staging folder goes
        target.parent.mkdir(parents=True, exist_ok=True)
        if output.source is not None:
            shutil.copyfile(output.source, target)
        else:
            assert data is not None
            target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


# What a forked worker renders, and where; set before the pool forks, so nothing is pickled.
_PENDING: list[tuple[Path, Output]] = []


def _render_pending(index: int) -> None:
    write_output(*_PENDING[index])


class Progress:
    """A one-line bar on a terminal; silent when the output is a file or a pipe."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.shown = sys.stderr.isatty() and total >= 200

    def advance(self, count: int) -> None:
        """Count `count` more outputs written, and redraw the bar."""
        self.done += count
        if self.shown:
            width = 30
            filled = width * self.done // max(self.total, 1)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} pages")
            sys.stderr.flush()

    def close(self) -> None:
        """Clear the bar, so the build's own line starts on a clean line."""
        if self.shown:
            sys.stderr.write("\r" + " " * 60 + "\r")


def render(outputs: list[Output], staging: Path, jobs: int, flat: bool = False) -> dict[str, Path]:
    """Every output into `staging`, across `jobs` processes when that pays: at its site path,
    or, `flat`, under its number (an incremental build moves each into place after, and a
    flat folder is quick to clear; a site has a folder per page). Returns where each went."""
    global _PENDING
    staged = {o.path: staging / (str(number) if flat else o.path) for number, o in enumerate(outputs)}
    progress = Progress(len(outputs))
    _PENDING = [(staged[o.path], o) for o in outputs]
    try:
        size = max(1, min(256, len(outputs) // (jobs * 8)))
        for _done in parallel_map(_render_pending, range(len(outputs)), jobs, chunksize=size):
            progress.advance(1)
    finally:
        _PENDING = []
        progress.close()
    return staged


def swap_in(built: Path, out: Path) -> None:
    """Replace `out` with `built`; `out` is only ever missing between two renames."""
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        os.rename(out, old)
    os.rename(built, out)
    if old.exists():
        shutil.rmtree(old)


def move_in(staged: dict[str, Path], out: Path, removed: Iterable[str]) -> None:
    """Put each staged file in place (one rename each), then delete the outputs that went.
    The folder may be served while this runs, so new files go in before the files that
    replace old ones, and removals come last: a page never links to a page not there yet
    (a list showing a new notice arrives after the notice) or gone already."""
    folders: set[Path] = set()
    for path, source in sorted(staged.items(), key=lambda item: (out / item[0]).exists()):
        target = out / path
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        os.replace(source, target)
    for path in removed:
        target = out / path
        target.unlink(missing_ok=True)
        folder = target.parent
        while folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
