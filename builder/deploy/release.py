"""A release: the built site as it goes to a host, with precompressed copies and a manifest.

The release is staged locally as a folder of hard links to the built files and to
compressed copies kept in the cache by content hash, so an unchanged file is never
compressed twice. Its manifest (`.gongkai-manifest.json`, inside the release) lists every
file's SHA-256 and size: comparing it with the live release's tells what a deploy adds,
changes and removes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

try:  # optional: .br copies only where the brotli package is installed
    import brotli
except ImportError:  # pragma: no cover - depends on the environment
    brotli = None

MANIFEST = ".gongkai-manifest.json"
COMPRESSIBLE = (".html", ".css", ".js", ".xml", ".xsl", ".json", ".svg", ".txt")
MIN_COMPRESSIBLE = 256  # smaller files are sent as they are; nginx serves the original then


@dataclass(frozen=True)
class Entry:
    sha256: str
    size: int


Manifest = dict[str, Entry]


@dataclass(frozen=True)
class Plan:
    added: list[str]
    changed: list[str]
    removed: list[str]
    transfer_bytes: int  # what goes over: the added and changed files with their compressed copies

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
                f"{self.transfer_bytes:,} bytes")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def compressors() -> dict[str, Callable[[bytes], bytes]]:
    found: dict[str, Callable[[bytes], bytes]] = {".gz": lambda data: gzip.compress(data, compresslevel=9, mtime=0)}
    if brotli is not None:
        found[".br"] = lambda data: brotli.compress(data, quality=11)
    return found


def stage(public: Path, folder: Path, cache: Path) -> Manifest:
    """Stage `public` as a release in `folder`; returns its manifest (also written into it)."""
    shutil.rmtree(folder, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    manifest: Manifest = {}
    kinds = compressors()
    for source in sorted(p for p in public.rglob("*") if p.is_file() or p.is_symlink()):
        if source.is_symlink() or not source.is_file():
            continue  # a link could reach outside the site; a built site has none
        name = source.relative_to(public).as_posix()
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(source, target)
        entry = Entry(_sha256(source), source.stat().st_size)
        manifest[name] = entry
        if source.suffix in COMPRESSIBLE and entry.size >= MIN_COMPRESSIBLE:
            for suffix, compress in kinds.items():
                kept = cache / f"{entry.sha256}{suffix}"
                if not kept.exists():
                    fresh = kept.with_name(kept.name + f".{os.getpid()}")
                    fresh.write_bytes(compress(source.read_bytes()))
                    os.replace(fresh, kept)
                _link_or_copy(kept, target.with_name(target.name + suffix))
                manifest[name + suffix] = Entry(_sha256(kept), kept.stat().st_size)
    (folder / MANIFEST).write_text(to_json(manifest), encoding="utf-8")
    return manifest


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def to_json(manifest: Manifest) -> str:
    files = {name: [entry.sha256, entry.size] for name, entry in sorted(manifest.items())}
    return json.dumps({"format": 1, "files": files}, ensure_ascii=False, indent=0) + "\n"


def from_json(text: str | None) -> Manifest:
    """A release's manifest; {} for none or one this version cannot read (a full upload)."""
    try:
        data = json.loads(text) if text else {}
        return {name: Entry(str(sha), int(size)) for name, (sha, size) in data.get("files", {}).items()}
    except (ValueError, TypeError, AttributeError):
        return {}


def plan(old: Manifest, new: Manifest) -> Plan:
    """What a deploy does, counted in site files (their compressed copies travel with them)."""
    pages = sorted(name for name in new if not name.endswith((".gz", ".br")))
    added = [name for name in pages if name not in old]
    changed = [name for name in pages if name in old and old[name] != new[name]]
    removed = sorted(name for name in old if name not in new and not name.endswith((".gz", ".br")))
    moving = set(added) | set(changed)
    transfer = sum(entry.size for name, entry in new.items()
                   if (name.rsplit(".", 1)[0] if name.endswith((".gz", ".br")) else name) in moving)
    return Plan(added, changed, removed, transfer)
