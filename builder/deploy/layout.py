"""The layout gongkai keeps in a target's folder, and how it tells its own entries from
anyone else's. Both kinds of target (a folder here, a server over SSH) report what they
hold as a `Survey`; every rule about what is live, what may be pruned, what a killed deploy
left and what must be refused is decided here, once, for both.

    current -> releases/<id>     the live release
    current.new                  the next `current` link, for the moment before it is renamed over it
    releases/<id>/               a release, complete: its manifest is written last
    releases/.partial-<id>/      a release being uploaded
    releases/.prune-<id>/        a release being deleted

Every folder gongkai makes holds MARKER from its first moment, and a release its MANIFEST
from before it takes its name; deleting one removes those two files last. So an entry is
gongkai's when its name has one of these shapes AND it holds one of them: a folder named
like a release by someone else, a file, or a link is foreign, never deleted, followed or
made live. The one exception is an empty folder with a `.partial-`/`.prune-` name, which a
kill between making a folder and marking it (or between unmarking and removing it) leaves:
removing an empty folder loses nothing, and removing one that is not empty fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from builder.deploy.release import MANIFEST, MARKER, Manifest
from builder.i18n import N_, _

RELEASE = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")
PARTIAL, PRUNE = ".partial-", ".prune-"
LEFTOVER = re.compile(rf"^(?:{re.escape(PARTIAL)}|{re.escape(PRUNE)})\d{{8}}T\d{{6}}Z-[0-9a-f]{{8}}$")
OWN_FILES = (MARKER, MANIFEST)  # a folder holding one of these is gongkai's; they go last when it is deleted

# What a path is, as both targets report it: lstat's view, never following a link.
NONE, FOLDER, LINK, FILE = "none", "dir", "link", "file"


@dataclass(frozen=True)
class Found:
    """An entry of releases/."""

    name: str
    kind: str
    marked: bool  # a folder holding one of OWN_FILES
    empty: bool  # a folder holding nothing


@dataclass(frozen=True)
class Survey:
    """What a target's folder holds, read in one go."""

    current: str  # kind of `current`
    link: str  # where `current` points, if it is a link
    fresh: str  # kind of `current.new`
    releases_kind: str
    entries: tuple[Found, ...]

    @property
    def releases(self) -> list[str]:
        """gongkai's releases, oldest first (their names sort by deploy order)."""
        return sorted(e.name for e in self.entries if e.kind == FOLDER and e.marked and RELEASE.match(e.name))

    @property
    def leftovers(self) -> list[Found]:
        """What deploys that were stopped left: their partial uploads and half-pruned releases."""
        return [e for e in self.entries if e.kind == FOLDER and LEFTOVER.match(e.name) and (e.marked or e.empty)]

    @property
    def live(self) -> str | None:
        """The live release: the one `current` points at, when `current` is a link gongkai
        made to a release of its own; else None."""
        name = self.link.removeprefix("releases/")
        return name if self.current == LINK and name in self.releases else None


# Targets gongkai refuses to touch: (what is wrong, the one-line reason). A foreign `current`
# or `current.new` would be replaced, and a `releases` link would send uploads and deletions
# somewhere else; the person who made them must move them.
REFUSALS: tuple[tuple[Callable[[Survey], bool], str], ...] = (
    (lambda s: s.releases_kind == LINK,
     N_("releases is a link; gongkai follows no link it did not make: make it a folder, or point the target at it")),
    (lambda s: s.releases_kind == FILE, N_("releases is not a folder; move it away first")),
    (lambda s: s.current in (FOLDER, FILE), N_("current is not a link gongkai made; move it away first")),
    (lambda s: s.current == LINK and not (s.link.startswith("releases/")
                                          and RELEASE.match(s.link.removeprefix("releases/"))),
     N_("current points to {link}, outside its releases/ folder; refusing to touch a web root gongkai did not "
        "set up")),
    (lambda s: s.fresh in (FOLDER, FILE), N_("current.new is not a link gongkai made; move it away first")),
)


def refusal(survey: Survey) -> str | None:
    """Why gongkai will not touch this target (the first of REFUSALS that applies, as one
    line of error), or None."""
    for broken, reason in REFUSALS:
        if broken(survey):
            return _(reason).format(link=survey.link)
    return None


def damage(manifest: Manifest, sizes: dict[str, int]) -> str | None:
    """Why a release's files (each path with its size, -1 for anything but a plain file) do
    not match its manifest, or None when they do. Sizes, not digests: what a stopped deploy
    leaves is files missing or cut short, and reading every byte of a release to roll back
    to would cost as much as uploading it."""
    if not manifest:
        return _("no manifest")
    missing = [name for name in manifest if name not in sizes]
    wrong = [name for name, entry in manifest.items() if name in sizes and sizes[name] != entry.size]
    extra = [name for name in sizes if name not in manifest and name not in OWN_FILES]
    for names, what in ((missing, N_("{count} files missing, such as {name}")),
                        (wrong, N_("{count} files of the wrong size, such as {name}")),
                        (extra, N_("{count} files not in its manifest, such as {name}"))):
        if names:
            return _(what).format(count=len(names), name=sorted(names)[0])
    return None
