"""A build's stamp: the state of every file the build read, and of every file it wrote.

When neither has changed since the last build, the next build has nothing to do and stops
before it loads its cache, the content or the theme. States are (path, size, modification
time), the same test the content cache uses; a file changed without changing either is
seen by the full build that follows any other change. Inputs are found by walking their
folders (a new file is a change); outputs are the files the build left, each looked at
once (a site has a folder per page, and walking them is much slower). The stamp
is the head of a build's state (builder/record.py), kept in a file of its own so that it
is read first and alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from builder.fsio import State, file_states, tree_state
from builder.keys import digest

PACKAGE = Path(__file__).resolve().parent  # the builder's own code is an input too


def code_files() -> list[Path]:
    """gongkai's own code: every module of the package and its data files."""
    data = [path for path in (PACKAGE / "data").rglob("*") if path.is_file()]
    return sorted([*PACKAGE.rglob("*.py"), *data])


@cache
def code_digest() -> str:
    """A digest of gongkai's own code, by its bytes: part of every output's key and of the
    cache's format, so an edit to the code or an upgrade renders again what the code makes
    (a version string stays the same across edits). Made once a process."""
    whole = hashlib.sha256()
    for path in code_files():
        name = path.relative_to(PACKAGE).as_posix().encode("utf-8")
        data = path.read_bytes()
        whole.update(b"%d %s %d\n" % (len(name), name, len(data)) + data)
    return whole.hexdigest()


def settled_state(out: Path, before: State, written: Iterable[str], removed: Iterable[str],
                  rewalk: Iterable[str]) -> State:
    """The state of `out` after an incremental build, from its state before it: only the
    files written or removed are looked at again, and the folders `rewalk` (the search
    shards its engine rewrote) whole. Saves walking a large site twice."""
    folders = tuple(f"{folder}/" for folder in rewalk)
    state = {path: value for path, value in before.items() if not path.startswith(folders)} if folders else dict(before)
    for path in removed:
        state.pop(path, None)
    state.update(file_states(out, written))
    for folder in folders:
        state.update({f"{folder}{path}": value for path, value in tree_state(out / folder).items()})
    return state  # in no order: states are looked up and compared whole, never listed


def inputs_digest(folders: Iterable[tuple[Path, State]], settings: object) -> str:
    """A digest of the files in `folders` (content and themes, with their states) and the
    builder's code, and of the build's settings (the configuration, drafts, the search
    engine's version)."""
    return digest([(str(folder), state) for folder, state in [*folders, (PACKAGE, tree_state(PACKAGE))]], settings)


@dataclass(frozen=True)
class Stamp:
    """A build's stamp: the digest of what it read, how many outputs it planned and the
    state of every file it left; all a no-change rebuild reads before it stops."""

    inputs: str  # the digest of what the build read (`inputs_digest`)
    count: int  # outputs planned
    outputs: State  # every file the build left in the output folder


def unchanged(stamp: Stamp | None, inputs: str, out: Path) -> int | None:
    """The number of outputs of the last build when its inputs and its output folder are
    as that build left them; None when there is work to do."""
    if stamp is None or stamp.inputs != inputs:
        return None
    return stamp.count if file_states(out, stamp.outputs) == stamp.outputs else None
