"""Where a build may write: its output folder, and the paths of the files it puts there.

A build replaces its output folder whole (a cold build swaps a new one in) and deletes the
outputs whose source went, so a wrong folder or a wrong path loses files. The output folder
is checked before the build reads anything, and every output path (whatever made it: a
slug, a file name, a year) after planning and before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable
from pathlib import Path

from builder.errors import GongkaiError, Problem
from builder.i18n import N_, _
from builder.output import Origin
from builder.publish import MARKER, output_place
from builder.record import CACHE_DIR, record_file

# The site's sources and its cache: an output folder that is one of them, lies inside one
# or holds one would replace or delete it.
SOURCES = ("site.yaml", "content/", "theme/", "seeds/", f"{CACHE_DIR}/")
PREVIEW = "preview"  # `gongkai serve` builds into .gongkai-cache/preview/, its own folder


# --- the output folder ------------------------------------------------------------------

def _guarded(root: Path) -> list[tuple[str, Path, bool]]:
    """The folders an output folder must keep clear of: (name, resolved path, whether the
    output folder may lie inside it). It may lie inside the folder gongkai runs from
    (public/), never be it or hold it; it may not touch the sources in any way."""
    here = [(_("the folder gongkai runs from"), Path.cwd().resolve(), True),
            (_("the site's folder"), root.resolve(), True)]
    sources = [(_("the site's {name}").format(name=name), (root / name.rstrip("/")).resolve(), False)
               for name in SOURCES]
    return here + sources


def _clash(out: Path, folder: Path, may_lie_inside: bool) -> str | None:
    if out == folder:
        return N_("the output folder is {name}; a build replaces everything in its output folder: choose one of "
                  "its own, such as public")
    if folder.is_relative_to(out):
        return N_("the output folder holds {name}; a build replaces everything in its output folder: choose one "
                  "of its own, such as public")
    if out.is_relative_to(folder) and not may_lie_inside:
        return N_("the output folder lies inside {name}; a build replaces everything in its output folder: "
                  "choose one of its own, such as public")
    return None


def _made_by_gongkai(root: Path, out: Path) -> bool:
    """The marker says so; or the cache holds a record of a build into it, for folders
    built before builds wrote the marker."""
    return (out / MARKER).is_file() or record_file(root, out).is_file()


def check_out_folder(root: Path, out: Path, force: bool) -> Path:
    """`out` resolved (links followed, but gongkai's own link to a tree of the site: see
    builder/publish.py), once it is sure a build may replace it; else GongkaiError naming
    `out` as given."""
    given = out.as_posix()
    target = output_place(out)
    cache = (root / CACHE_DIR).resolve()
    own = target == cache / PREVIEW  # the preview lives in the cache: gongkai's own, not the user's
    for name, folder, may_lie_inside in _guarded(root):
        relation = None if own and folder == cache else _clash(target, folder, may_lie_inside)
        if relation:
            raise GongkaiError(Problem(f"--out {given}", _(relation).format(name=name)))
    if target.exists() and not target.is_dir():
        raise GongkaiError(Problem(f"--out {given}",
                                   _("not a folder: the output folder must be a folder or not exist")))
    if not (force or own) and target.is_dir() and any(target.iterdir()) and not _made_by_gongkai(root, target):
        raise GongkaiError(Problem(f"--out {given}", _("not empty, and no site gongkai built (no {marker} in it): "
                                                             "a build replaces everything in it; choose an empty or "
                                                             "new folder, or pass --force to replace it").format(
                                                                 marker=MARKER)))
    return target


# --- the paths inside it ----------------------------------------------------------------

# Control characters (NUL ends a name in the system's calls, a line end splits a listing)
# and the backslash, a folder separator on Windows hosts.
UNSAFE_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")
MAX_NAME = 255  # bytes in one file or folder name: the limit of ext4, XFS, APFS and NTFS
MAX_PATH = 1024  # bytes in a site path: room under PATH_MAX (4096) for the output folder's own path

# Each rule a path must pass, with what a path that fails it is; the first failed is named.
PATH_RULES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    (N_("output path {path} is empty"), lambda path: path != ""),
    (N_("output path {path} holds a control character or a backslash"), lambda path: not UNSAFE_CHARACTER.search(path)),
    (N_("output path {path} is absolute"), lambda path: not path.startswith("/")),
    (N_("output path {path} leaves its folder or the output folder (a part is empty, . or ..)"),
     lambda path: all(part not in ("", ".", "..") for part in path.split("/"))),
    (N_("output path {path} has a name longer than {max_name} bytes"),
     lambda path: all(len(part.encode("utf-8")) <= MAX_NAME for part in path.split("/"))),
    (N_("output path {path} is longer than {max_path} bytes"), lambda path: len(path.encode("utf-8")) <= MAX_PATH),
)


# What every rule above lets through, as one pattern for the usual path (ASCII, where a
# character is a byte): trying the rules one by one on every path slowed every build.
PLAIN_PART = r"(?!\.\.?(?:/|\Z))[^\x00-\x1f\x7f\\/]{1,255}"
PLAIN_ASCII_PATH = re.compile(f"{PLAIN_PART}(?:/{PLAIN_PART})*")


def path_problem(path: str) -> str | None:
    """What is wrong with a path inside the output folder (a message naming it), or None when
    it is a plain relative path that stays inside it."""
    if len(path) <= MAX_PATH and path.isascii() and PLAIN_ASCII_PATH.fullmatch(path):
        return None
    failed = next((failed for failed, passes in PATH_RULES if not passes(path)), None)
    return _(failed).format(path=repr(path), max_name=MAX_NAME, max_path=MAX_PATH) if failed else None


def check_outputs(planned: list[tuple[str, Origin]], kept: Iterable[tuple[str, Origin]] = (),
                  last: Container[str] = ()) -> None:
    """Every output path (with what made it) before anything is written: plain, inside the
    output folder, written once, and no file where another output needs a folder
    (Pelican's writer refuses a path written twice too). `kept`: the paths of outputs taken
    over from the last build, checked when they were planned, so only compared with the
    others here; `last`: every path of the last build. GongkaiError names each source."""
    problems: list[Problem] = []
    owners: dict[str, Origin] = dict(kept)
    for path, origin in planned:
        failed = path_problem(path)
        if failed:
            problems.append(origin.problem(failed))
        elif path in owners:
            problems.append(origin.problem(_("output path {path} is written by {other} too; every output needs a "
                                             "path of its own").format(path=path, other=owners[path])))
        else:
            owners[path] = origin
    # Paths all among the last build's, which passed this check, hold no file where a
    # folder goes: a build that changes one notice's text need not map every folder.
    if not all(path in last for path, _ in planned):
        problems += _files_in_the_way(owners)
    if problems:
        raise GongkaiError(*problems)


def _files_in_the_way(owners: dict[str, Origin]) -> list[Problem]:
    """An output whose path is a folder another output needs."""
    folders: dict[str, str] = {}  # each folder an output needs → that output's path
    for path in owners:
        folder = path.rpartition("/")[0]
        while folder and folder not in folders:
            folders[folder] = path
            folder = folder.rpartition("/")[0]
    return [owners[path].problem(_("output path {path} is a file, but {other} needs it as a folder for {need}")
                                 .format(path=path, other=owners[folders[path]], need=folders[path]))
            for path in owners if path in folders]


# --- attachment files -------------------------------------------------------------------

# The types a disclosure site publishes as attachment files, by extension (lower case).
ATTACHMENT_TYPES: dict[str, str] = {
    "pdf": "PDF", "ofd": "OFD, the national fixed-layout format",
    "doc": "Word", "docx": "Word", "wps": "WPS Writer", "rtf": "rich text", "odt": "OpenDocument text",
    "xls": "Excel", "xlsx": "Excel", "et": "WPS Spreadsheets", "ods": "OpenDocument spreadsheet",
    "csv": "a data table as text",
    "ppt": "PowerPoint", "pptx": "PowerPoint", "dps": "WPS Presentation", "odp": "OpenDocument presentation",
    "txt": "plain text",
    "zip": "an archive", "rar": "an archive", "7z": "an archive",
    "jpg": "an image", "jpeg": "an image", "png": "an image", "gif": "an image", "webp": "an image",
    "tif": "a scanned image", "tiff": "a scanned image",
    "mp3": "audio", "mp4": "video",
}
# Types a browser runs scripts in: served from the site, their scripts would run as the
# site's own pages (its origin: its storage, its forms). Named apart for a clearer error.
ACTIVE_TYPES = frozenset({"html", "htm", "shtml", "xhtml", "xht", "mht", "mhtml", "svg", "svgz", "xml", "xsl",
                          "xslt", "js", "mjs"})


def attachment_problem(name: str) -> str | None:
    """Why an attachment file may not be published, or None."""
    base = name.rpartition("/")[2]
    kind = base.rpartition(".")[2].lower() if "." in base else ""
    if kind in ACTIVE_TYPES:
        return _("{name}: .{kind} is active content (a browser would run its scripts as the site's own pages); "
                 "publish it as a PDF instead").format(name=name, kind=kind)
    if kind not in ATTACHMENT_TYPES:
        return _("{name}: not a type a disclosure site publishes (publishable: {types})").format(
            name=name, types=", ".join("." + known for known in ATTACHMENT_TYPES))
    return None
