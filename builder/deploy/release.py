"""A release: the built site as it goes to a host, with precompressed copies and a manifest.

A release names, for each of its files, the local file it is: a built file, or a
compressed copy kept in the cache by content hash, so an unchanged file is never
compressed twice. Its manifest (`.gongkai-manifest.json`, inside the release) lists every
file's SHA-256 and size: comparing it with the live release's tells what a deploy adds,
changes and removes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import posixpath
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

try:  # optional: .br copies only where the brotli package is installed
    import brotli
except ImportError:  # pragma: no cover - depends on the environment
    brotli = None

from builder.check import REPORT_DIR
from builder.i18n import _
from builder.parallel import parallel_map

MANIFEST = ".gongkai-manifest.json"
MARKER = ".gongkai-release"  # written first into every folder a deploy makes: see layout.py
MARKER_TEXT = "made by gongkai deploy\n"
COMPRESSIBLE = (".html", ".css", ".js", ".xml", ".xsl", ".json", ".svg", ".txt")
MIN_COMPRESSIBLE = 256  # smaller files are sent as they are; nginx serves the original then


@dataclass(frozen=True)
class Entry:
    """A file of a release as its manifest lists it: its SHA-256 and size."""

    sha256: str
    size: int


Manifest = dict[str, Entry]


@dataclass(frozen=True)
class Plan:
    """What a deploy changes on the target, in site files: for its summary line and for
    --dry-run's list."""

    added: list[str]
    changed: list[str]
    removed: list[str]
    transfer_bytes: int  # what goes over: the added and changed files with their compressed copies

    def summary(self) -> str:
        """The plan in the few words of the deploy's report."""
        return _("{added} added, {changed} changed, {removed} removed, {bytes:,} bytes").format(
            added=len(self.added), changed=len(self.changed), removed=len(self.removed), bytes=self.transfer_bytes)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def compressors() -> dict[str, Callable[[bytes], bytes]]:
    """The compressed copies every compressible file of a release gets, by suffix: .gz, and
    .br where the brotli package is installed. The web server sends them as they are
    (gzip_static), so no page is compressed for each reader."""
    # gzip at its highest level; brotli at 5: on Chinese pages its higher levels cost far more
    # time than the bytes they save (benchmarks/README.md).
    found: dict[str, Callable[[bytes], bytes]] = {".gz": lambda data: gzip.compress(data, compresslevel=9, mtime=0)}
    if brotli is not None:
        found[".br"] = lambda data: brotli.compress(data, quality=5)
    return found


def _compress(job: tuple[str, str, str]) -> None:
    source, suffix, kept = job
    fresh = f"{kept}.{os.getpid()}"
    with open(source, "rb") as handle:
        data = compressors()[suffix](handle.read())
    with open(fresh, "wb") as handle:
        handle.write(data)
    os.replace(fresh, kept)


@dataclass(frozen=True)
class Release:
    """A release ready for a target: its manifest, and the local file behind each of its files."""

    manifest: Manifest
    sources: dict[str, Path]  # each file of the release → the local file it is (built, or compressed in the cache)

    def manifest_json(self) -> str:
        """The manifest as the file written into the release."""
        return to_json(self.manifest)

    def materialize(self, folder: Path) -> None:
        """The release as a folder of hard links, for rsync to upload."""
        shutil.rmtree(folder, ignore_errors=True)
        make_folders(folder, list(self.sources))
        (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        for name, source in self.sources.items():
            _link_or_copy(source, folder / name)
        (folder / MANIFEST).write_text(self.manifest_json(), encoding="utf-8")


def stage(public: Path, cache: Path) -> Release:
    """The release of the built site in `public`: every file with its hash, and compressed
    copies, made across all cores where the cache lacks them."""
    cache.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in public.rglob("*") if p.is_file() and not p.is_symlink()  # links could leave the site
                   and p.relative_to(public).parts[0] != REPORT_DIR)  # gongkai check's report is for editors
    entries = {source: Entry(_sha256(source), source.stat().st_size) for source in files}
    copies = {source: [(suffix, cache / f"{entry.sha256}{suffix}") for suffix in compressors()]
              for source, entry in entries.items() if source.suffix in COMPRESSIBLE and entry.size >= MIN_COMPRESSIBLE}
    jobs = sorted({str(kept): (str(source), suffix, str(kept)) for source, pairs in copies.items()
                   for suffix, kept in pairs if not kept.exists()}.values())
    list(parallel_map(_compress, jobs, os.cpu_count() or 1, chunksize=16))
    manifest: Manifest = {}
    sources: dict[str, Path] = {}
    for source in files:
        name = source.relative_to(public).as_posix()
        manifest[name], sources[name] = entries[source], source
        for suffix, kept in copies.get(source, []):
            manifest[name + suffix] = Entry(_sha256(kept), kept.stat().st_size)
            sources[name + suffix] = kept
    return Release(manifest, sources)


def make_folders(root: Path, names: list[str]) -> None:
    """The folders these files go in, each made once (a mkdir per file adds up over a site)."""
    for folder in sorted({posixpath.dirname(name) for name in names}):
        (root / folder).mkdir(parents=True, exist_ok=True)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def to_json(manifest: Manifest) -> str:
    """A manifest as the release's JSON file: sorted, so the same files always give the same
    bytes, and the digest of those bytes names the release."""
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
