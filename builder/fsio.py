"""Files: written atomically (a reader sees the old file or the new one, never half of one),
and their states (size, modification time) found in one walk or one look each."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

PUBLIC_MODE = 0o644
State = dict[str, tuple[int, int]]  # path in a folder → (size, modification time), sorted by path


def write_atomic(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        os.chmod(tmp, PUBLIC_MODE)  # mkstemp makes 0600; content and sites are for reading
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def tree_state(folder: Path) -> State:
    """Every file under `folder` with its size and modification time, sorted by path
    (os.scandir and plain strings: a site has a folder per page)."""
    state: list[tuple[str, tuple[int, int]]] = []

    def visit(path: str, prefix: str) -> None:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":  # Python's, not the user's
                        visit(entry.path, f"{prefix}{entry.name}/")
                else:
                    stat = entry.stat()
                    state.append((prefix + entry.name, (stat.st_size, stat.st_mtime_ns)))

    if folder.is_dir():
        visit(str(folder), "")
    return dict(sorted(state))


def file_states(folder: Path, paths: Iterable[str]) -> State:
    """The state of each of `paths` under `folder` that is a file there."""
    state = {}
    for path in paths:
        try:
            stat = os.stat(f"{folder}/{path}")
        except OSError:  # gone, or a folder on its way became a file
            continue
        state[path] = (stat.st_size, stat.st_mtime_ns)
    return state
