"""`gongkai normalize`: many raw files → content/notices/*.md, safely.

Hand edits are detected through a record of what normalize last wrote (a SHA-256 per file,
kept beside the content); a file whose bytes differ from that record was edited and is
left alone unless --force.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from builder.config import TagRules
from builder.errors import Problem, system_reason
from builder.fsio import write_atomic
from builder.i18n import _
from builder.normalize import DecodeError, Normalized, NotANotice, normalize_bytes, normalize_page
from builder.normalize.explain import render
from builder.normalize.html import HTML_SUFFIXES
from builder.parallel import parallel_map

STATE_FILE = ".normalized.json"
TEXT_SUFFIXES = (".txt", ".text")
RAW_SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES)


@dataclass
class Outcome:
    """What a normalize run did, for its summary line and its --report: files written,
    unchanged and kept as edited by hand, the problems, and each file's report."""

    written: int = 0
    unchanged: int = 0
    kept: int = 0
    problems: list[Problem] = field(default_factory=list)
    report: list[dict] = field(default_factory=list)


def find_inputs(sources: list[str]) -> tuple[list[str], list[Problem]]:
    """Raw files named, or found under folders named, as paths in the form given."""
    files: list[str] = []
    problems: list[Problem] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            files.extend(p.as_posix() for p in sorted(path.rglob("*"))
                         if p.is_file() and p.suffix.lower() in RAW_SUFFIXES)
        elif path.is_file():
            files.append(path.as_posix())
        else:
            problems.append(Problem(source, _("no such file or folder")))
    return files, problems


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load_state(out: Path) -> dict[str, str]:
    path = out / STATE_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        return {}


def _normalize_one(tag_rules: TagRules, file: str) -> Normalized | str:
    """A file's notice, or why it has none."""
    try:
        read = normalize_page if Path(file).suffix.lower() in HTML_SUFFIXES else normalize_bytes
        return read(Path(file).read_bytes(), file, tag_rules)
    except (DecodeError, NotANotice) as err:
        return str(err)
    except OSError as err:  # gone, a folder, unreadable
        return _("cannot read: {reason}").format(reason=system_reason(err))


def explain_file(file: str, tag_rules: TagRules) -> tuple[str | None, Problem | None]:
    """What `normalize --explain` prints for one raw file, or why the file has no notice."""
    result = _normalize_one(tag_rules, file)
    if isinstance(result, str):
        return None, Problem(file, result)
    return render(file, result.report["explain"]), None


def _normalize_all(files: list[str], tag_rules: TagRules) -> Iterator[Normalized | str]:
    """Results in input order; parsed across all cores when there are many files."""
    yield from parallel_map(partial(_normalize_one, tag_rules), files, os.cpu_count() or 1, chunksize=16)


def normalize_files(files: list[str], out: Path, tag_rules: TagRules, force: bool,
                    say: Callable[[str], None]) -> Outcome:
    """Normalise `files` into `out`: a content file is written only when its bytes change,
    and never over a hand edit unless `force`; two raw files of one notice are a duplicate,
    two notices under one slug are told apart by their text."""
    outcome = Outcome()
    state = _load_state(out)
    claimed: dict[str, tuple[str, str]] = {}  # slug → the raw file that produced it, and its text
    for file, result in zip(files, _normalize_all(files, tag_rules), strict=True):
        if isinstance(result, str):
            outcome.problems.append(Problem(file, result))
            continue
        slug = result.slug
        body = result.notice.body or ""
        if slug in claimed and claimed[slug][1] == body:
            outcome.problems.append(Problem(file, _("the same notice as {other} (a duplicate)")
                                            .format(other=claimed[slug][0]),
                                                    field="slug"))
            continue
        if slug in claimed:  # another notice of the same title and date: told apart by its text
            slug = f"{slug}-{hashlib.sha1(body.encode()).hexdigest()[:6]}"
        claimed[slug] = (file, body)
        target = out / f"{slug}.md"
        new = result.markdown.encode("utf-8")
        old = target.read_bytes() if target.exists() else None
        if old == new:
            outcome.unchanged += 1
            say(_("unchanged {target} ← {file}").format(target=target.as_posix(), file=file))
        elif old is not None and state.get(target.name) != _digest(old) and not force:
            outcome.kept += 1
            say(_("kept {target} ← {file}: edited by hand since normalize wrote it (--force overwrites it)")
                .format(target=target.as_posix(), file=file))
            continue
        else:
            write_atomic(target, new)
            outcome.written += 1
            say(_("wrote {target} ← {file}").format(target=target.as_posix(), file=file))
        state[target.name] = _digest(new)
        for warning in result.notice.warnings:
            say("  " + _("warning: {message}").format(message=f"{file}: {warning}"))
        outcome.report.append({"source": file, "output": target.as_posix(), **result.report})
    if outcome.written or outcome.unchanged:
        write_atomic(out / STATE_FILE, json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return outcome
