"""What a build leaves for the next one: its `BuildState`, kept in .gongkai-cache/ by a
command (safe to delete: the next build is then a full one) and in memory by a preview.

The state of a build into one output folder is kept in files: its stamp (builder/stamp.py),
which holds each output's state and is read first, alone, to find whether there is
anything to do; the record (the search index's shards, the content listing, how the two
trees differ); and the record's large pieces, which it names: each shard of the plan's parts
(each part with its key and its outputs' keys) and the site's frame, each rewritten only
when it changed. The parsed content files, which every output folder's builds share, are
kept apart in shards by slug: a one-notice edit rewrites the shard holding that notice, not
the metadata of the whole site.
"""

from __future__ import annotations

import hashlib
import pickle
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from builder.content import Cached
from builder.frame import SiteFrame
from builder.fsio import State, make_room, write_atomic
from builder.keys import digest
from builder.publish import TreeLog
from builder.search import Shard
from builder.stamp import Stamp, code_digest

PartKeys = tuple[Any, dict[str, str]]  # a part's key, and each of its outputs' keys


@dataclass
class SearchState:
    """The search index's shards: as planned, as their pages now want them, as indexed."""

    shards: list[Shard] = field(default_factory=list)
    wanted: dict[str, str] = field(default_factory=dict)  # each shard's key from its pages' bytes
    indexed: dict[str, str] = field(default_factory=dict)  # each shard's key when it was last indexed
    page_hashes: dict[str, str] = field(default_factory=dict)  # each indexed page's bytes' digest


@dataclass
class BuildState:
    """What a build into one output folder leaves for the next: the next plans only what
    changed since, and checks that the outputs are still as this one left them."""

    content: dict[str, Cached] = field(default_factory=dict)  # slug → parsed content file
    slugs: dict[str, str] = field(default_factory=dict)  # pinyin slugs remembered across builds
    theme: str | None = None  # the theme's key
    template_keys: dict[str, str] = field(default_factory=dict)
    parts: dict[str, PartKeys] = field(default_factory=dict)  # each part of the plan, by name
    states: State = field(default_factory=dict)  # each output's file as the build left it: the stamp's
    search: SearchState = field(default_factory=SearchState)
    trees: TreeLog | None = None  # how the live tree differs from the standby (builder/publish.py)
    frame: SiteFrame | None = None  # what a build of body edits plans from (builder/frame.py)
    listing: State = field(default_factory=dict)  # content/ as the build read it
    files: dict[str, str] = field(default_factory=dict)  # the file each piece of it is kept in (`save_record`)

CACHE_DIR = ".gongkai-cache"
# Records hold pickled notices: one written by other code (another release, or an edit that
# reads notices differently, changes the shape of a Notice or of a record) is not read.
FORMAT = code_digest()
# Every cache file starts with the format and a CRC-32 of the pickle after it.
HEADER = f"gongkai-cache {FORMAT}\n".encode()
SHARDS = 64  # ~80 notices each at 5,000: a shard is quick to rewrite, and few files to read


def record_file(root: Path, out: Path) -> Path:
    """Where the state of the builds into `out` is kept: a file of its own under
    .gongkai-cache/ for each output folder."""
    return root / CACHE_DIR / f"build-{digest(str(out))[:12]}.pickle"


def _stamp_file(root: Path, out: Path) -> Path:
    return record_file(root, out).with_suffix(".stamp.pickle")


def _content_folder(root: Path) -> Path:
    return root / CACHE_DIR / "content"


def shard_of(name: str) -> int:
    """The shard that holds an entry by its name: a notice's parse in the content cache by
    its slug, a part of the plan by the part's name."""
    return zlib.crc32(name.encode("utf-8")) % SHARDS


def _read(path: Path) -> Any:
    """A cache file's contents; None when it is missing, stale or damaged in any way (a
    missing entry only costs reading and rendering again). Its checksum is tested before
    unpickling: a flipped bit inside a string would otherwise unpickle into a wrong title."""
    try:
        raw = path.read_bytes()
        head, payload = raw[:len(HEADER)], raw[len(HEADER) + 4:]
        if head != HEADER or int.from_bytes(raw[len(HEADER):len(HEADER) + 4], "big") != zlib.crc32(payload):
            return None
        return pickle.loads(payload)
    except Exception:  # whatever the damage (any exception unpickling can raise), it is not cached
        return None


def _write(root: Path, path: Path, data: object) -> None:
    """A cache file, checksummed, in place of whatever stood in its way in the cache."""
    _write_pickled(root, path, pickle.dumps(data))


def _write_pickled(root: Path, path: Path, payload: bytes) -> None:
    make_room(path, root / CACHE_DIR)
    write_atomic(path, HEADER + zlib.crc32(payload).to_bytes(4, "big") + payload)


def read_stamp(root: Path, out: Path) -> Stamp | None:
    """The stamp of the last build into `out`, or None when there is none to trust."""
    stamp = _read(_stamp_file(root, out))
    return stamp if isinstance(stamp, Stamp) else None


def save_stamp(root: Path, out: Path, stamp: Stamp) -> None:
    """Keep `stamp` for the next build into `out`."""
    _write(root, _stamp_file(root, out), stamp)


def load_content(root: Path, shards: Iterable[int] = range(SHARDS)) -> dict[str, Cached]:
    """The parsed content files every output folder's builds share, by slug, from these
    shards (`shard_of`) of the cache; {} when missing."""
    content: dict[str, Cached] = {}
    for number in sorted(shards):
        entries = _read(_content_folder(root) / f"{number:02d}.pickle")
        if isinstance(entries, dict):
            content.update((slug, entry) for slug, entry in entries.items()
                           if shard_of(slug) == number and isinstance(entry, Cached))
    return content


def _pieces_folder(root: Path, out: Path) -> Path:
    return record_file(root, out).with_suffix(".pieces")


PART_SHARDS = tuple(f"parts-{number:02d}" for number in range(SHARDS))


def _pieces(state: BuildState) -> dict[str, Any]:
    """The large pieces of a state, kept in files of their own, so that a build rewrites
    those it changed alone: its plan's parts in shards by name (a body edit changes a few
    parts of 100,000), and its frame."""
    pieces: dict[str, Any] = {piece: {} for piece in PART_SHARDS}
    for name, keys in state.parts.items():
        pieces[PART_SHARDS[shard_of(name)]][name] = keys
    return {**pieces, "frame": state.frame}


def _same(piece: Any, known: Any) -> bool:
    """Whether a piece of the record, or a shard of the content cache, is the one that was
    loaded: its very object, or a shard of the same objects (what a build takes over from
    the last one is not copied)."""
    if isinstance(piece, dict) and isinstance(known, dict):
        return piece.keys() == known.keys() and all(piece[key] is known[key] for key in piece)
    return piece is known


def load_record(root: Path, out: Path, stamp: Stamp | None = None) -> BuildState:
    """The last build's state, with its stamp's output states (`stamp`, when already read),
    but not the content cache, read as far as a build needs it (`load_content`); empty
    where any file of it is missing or damaged."""
    record = _read(record_file(root, out))
    stamp = stamp or read_stamp(root, out)
    states = stamp.outputs if stamp is not None else {}
    if not isinstance(record, BuildState) or sorted(record.files) != sorted((*PART_SHARDS, "frame")):
        return BuildState(states=states)
    pieces = {}
    for piece, name in record.files.items():
        found = _read(_pieces_folder(root, out) / name)  # (its piece, its value)
        if not (isinstance(found, tuple) and found[0] == piece):
            return BuildState(states=states)
        pieces[piece] = found[1]
    if not all(isinstance(pieces[piece], dict) for piece in PART_SHARDS):
        return BuildState(states=states)
    frame = pieces["frame"]
    parts = {name: keys for piece in PART_SHARDS for name, keys in pieces[piece].items()}
    return replace(record, states=states, parts=parts, frame=frame if isinstance(frame, SiteFrame) else None)


def save_content(root: Path, content: dict[str, Cached], known: dict[str, Cached]) -> None:
    """Rewrite the shards whose entries differ from `known` (what was loaded: whole shards of
    the cache); entries reused from it are the same objects, so unchanged shards are found
    without comparing them, and shards neither holds are left alone."""
    new: dict[int, dict[str, Cached]] = {}
    old: dict[int, dict[str, Cached]] = {}
    for entries, shards in ((content, new), (known, old)):
        for slug, entry in entries.items():
            shards.setdefault(shard_of(slug), {})[slug] = entry
    for number in sorted(new.keys() | old.keys()):
        entries, before = new.get(number, {}), old.get(number, {})
        if _same(entries, before):
            continue
        path = _content_folder(root) / f"{number:02d}.pickle"
        if entries:
            _write(root, path, dict(sorted(entries.items())))
        else:
            make_room(path, root / CACHE_DIR)
            path.unlink(missing_ok=True)


def save_record(root: Path, out: Path, state: BuildState, known: BuildState) -> None:
    """The state without its content cache (see `save_content`) and its output states (the
    stamp's). Its pieces (`_pieces`) that differ from the `known` state's are written to new
    files, named by their contents, before the record that names them, and the files it no
    longer names are removed after: a build stopped on the way leaves the last record whole."""
    folder = _pieces_folder(root, out)
    files, known_pieces = {}, _pieces(known)
    for piece, value in _pieces(state).items():
        name = known.files.get(piece)
        if name is None or not _same(value, known_pieces[piece]):
            payload = pickle.dumps((piece, value))
            name = f"{piece}-{hashlib.sha1(payload).hexdigest()[:16]}.pickle"
            _write_pickled(root, folder / name, payload)
        files[piece] = name
    _write(root, record_file(root, out), replace(state, content={}, states={}, parts={}, frame=None, files=files))
    for path in folder.iterdir() if folder.is_dir() else ():
        if path.name not in files.values():
            path.unlink()
