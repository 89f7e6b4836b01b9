"""A notice's versions, from git when the site is a git repository (`gongkai history`), and
what changed in its text between two of them, marked inline as `git diff --word-diff` does.
Chinese has no spaces between words, so the text is compared character by character
(difflib's matcher, which finds the longest common runs: whole words and phrases survive)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from builder.content import split_front_matter
from builder.errors import GongkaiError, Problem
from builder.i18n import _


@dataclass(frozen=True)
class Version:
    """A commit that changed a notice's file: its hash, day and subject, as `history` lists them."""

    commit: str
    day: str
    subject: str


def _git(root: Path, file: str, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False,
                              timeout=60)
    except FileNotFoundError:
        raise GongkaiError(Problem(file, _("git is not installed: history needs it"))) from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [_("git failed")])[-1]
        raise GongkaiError(Problem(file, _("no history: {reason}").format(reason=reason[:120])))
    return done.stdout


def versions(root: Path, file: str) -> list[Version]:
    """The commits that changed `file`, newest first (renames followed)."""
    out = _git(root, file, "log", "--follow", "--format=%H%x09%ad%x09%s", "--date=short", "--", file)
    found = [Version(*line.split("\t", 2)) for line in out.splitlines() if line.count("\t") >= 2]
    if not found:
        raise GongkaiError(Problem(file, _("no history: git has no commit of this file")))
    return found


def text_at(root: Path, file: str, commit: str) -> str:
    """The notice's body as it was at `commit` (the front matter aside)."""
    path = Path(file).resolve().relative_to(Path(_git(root, file, "rev-parse", "--show-toplevel").strip()))
    text = _git(root, file, "show", f"{commit}:{path.as_posix()}")
    parts = split_front_matter(text)
    return parts[1] if parts else text


def changed_lines(old: str, new: str) -> list[str]:
    """The lines of `word_diff` that hold a change."""
    return [line for line in word_diff(old, new).splitlines() if "[-" in line or "{+" in line]


def word_diff(old: str, new: str) -> str:
    """`new` with what `old` had and it lacks as [-…-], and what it adds as {+…+}."""
    out = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(new[b1:b2])
            continue
        if a2 > a1:
            out.append(f"[-{old[a1:a2]}-]")
        if b2 > b1:
            out.append(f"{{+{new[b1:b2]}+}}")
    return "".join(out)
