"""Files: written atomically (a reader sees the old file or the new one, never half of one),
and their states (size, modification time) found in one walk or one look each."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from builder.errors import GongkaiError, Problem, system_reason
from builder.i18n import _

PUBLIC_MODE = 0o644
State = dict[str, tuple[int, int]]  # path in a folder → (size, modification time), sorted by path


@contextmanager
def writing(path: Path | str) -> Iterator[None]:
    """An OSError while writing `path` (a full disk, a file-size limit, no permission) as
    a one-line error naming the file; a write fails with no name of its own."""
    try:
        yield
    except OSError as err:
        raise GongkaiError(Problem(str(err.filename or path), _("cannot write: {reason}").format(
            reason=system_reason(err)))) from None


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `path` whole or not at all (a temporary file renamed over it), readable by all:
    a web server or an editor never finds half a page or half a content file."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
            os.chmod(tmp, PUBLIC_MODE)  # mkstemp makes 0600; content and sites are for reading
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def make_room(path: Path, within: Path) -> None:
    """Clear the way for a file at `path` in a folder of our own, `within`: a folder where
    the file goes, and a file or link where a folder on the way goes, are removed."""
    way = path.parent.relative_to(within)
    for folder in reversed([way, *way.parents]):
        if (within / folder).is_symlink() or (within / folder).is_file():
            (within / folder).unlink()
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)


def tree_state(folder: Path) -> State:
    """Every file under `folder` with its size and modification time, sorted by path
    (os.scandir and plain strings: a site has a folder per page)."""
    state: list[tuple[str, tuple[int, int]]] = []
    problems: list[Problem] = []

    def visit(path: str, prefix: str) -> None:
        try:
            with os.scandir(path) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name != "__pycache__":  # Python's, not the user's
                            visit(entry.path, f"{prefix}{entry.name}/")
                        continue
                    try:
                        stat = entry.stat()
                    except OSError as err:  # a link to nothing, or in a loop
                        problems.append(Problem(f"{folder.name}/{prefix}{entry.name}",
                                                _("cannot read: {reason}").format(reason=system_reason(err))))
                        continue
                    state.append((prefix + entry.name, (stat.st_size, stat.st_mtime_ns)))
        except OSError as err:  # a folder we may not list
            problems.append(Problem(f"{folder.name}/{prefix}",
                                    _("cannot read: {reason}").format(reason=system_reason(err))))

    if folder.is_dir():
        visit(str(folder), "")
    if problems:
        raise GongkaiError(*problems)
    return dict(sorted(state))


def file_states(folder: Path, paths: Iterable[str]) -> State:
    """The state of each of `paths` under `folder` that is a file there. Each is looked up
    from the folder opened once (a site's output folder is a link to its tree: resolving it
    again for each of a large site's 200,000 files costs a tenth of their time)."""
    state: State = {}
    try:
        where = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:  # no folder: no files
        return state
    try:
        for path in paths:
            if path.startswith("/"):  # a damaged record's: not under the folder
                continue
            try:
                stat = os.stat(path, dir_fd=where)
            except (OSError, ValueError):  # gone, or a folder on its way became a file; a NUL in a damaged record
                continue
            state[path] = (stat.st_size, stat.st_mtime_ns)
    finally:
        os.close(where)
    return state
