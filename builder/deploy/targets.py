"""Where releases go: a folder here (dir) or a server over SSH (rsync).

Both keep the layout of layout.py under the configured folder and offer the same few
steps (survey, read a manifest, list a release's files, install, rename, delete, switch);
what to do with them is decided in builder.deploy for both alike. A release is written as
releases/.partial-<id>, renamed when complete, and made live by renaming a new `current`
link over the old one, so readers see the old site or the new one, never a mix. Files
unchanged since the live release are hard links to it.
"""

from __future__ import annotations

import os
import posixpath
import shlex
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Protocol

from builder.config import SYSTEM_FOLDERS, DeployTarget
from builder.deploy.layout import FILE, FOLDER, LINK, NONE, OWN_FILES, PARTIAL, Found, Survey
from builder.deploy.release import MANIFEST, MARKER, MARKER_TEXT, Manifest, Release, from_json, make_folders
from builder.errors import GongkaiError, Problem, system_reason
from builder.i18n import N_, _


class Target(Protocol):
    """What a deploy needs of the place it publishes to: the same few steps for a folder
    here and for a server over SSH, so builder.deploy decides once what to do for both."""

    where: str  # the folder as site.yaml names it, for messages

    def survey(self) -> Survey:
        """Everything of the target's folder that layout.py's rules judge, read in one go."""

    def manifest(self, release: str) -> Manifest:
        """A release's manifest; {} when it has none this version can read."""

    def sizes(self, folder: str) -> dict[str, int]:
        """The files of a folder in releases/ with their sizes (-1 for anything but a plain
        file), to check a release against its manifest."""

    def install(self, staged: Release, release: str, previous: str | None) -> None:
        """Upload `staged` as release `release`: written under a .partial- name, files
        unchanged since the `previous` (live) release linked to it, renamed once complete."""

    def rename(self, old: str, new: str) -> None:
        """Rename an entry of releases/ in one step: a release is whole under its name, or
        not there."""

    def delete(self, found: Found) -> None:
        """Delete an entry of releases/ that a survey found to be gongkai's, its own files last."""

    def switch(self, release: str) -> None:
        """Make `release` live: a new `current` link renamed over the old one."""


def target_error(target: DeployTarget, where: str, message: str) -> GongkaiError:
    """Something wrong on the target itself (site.yaml is not to blame)."""
    return GongkaiError(Problem(where, _("deploy target {target}: {message}").format(target=target.name,
                                                                                      message=message)))


def _config_error(target: DeployTarget, field: str, message: str) -> GongkaiError:
    return GongkaiError(Problem("site.yaml", message, field=f"deploy.{target.name}.{field}"))


# Kernel views: nothing in them is a web root, and their links lead anywhere (/proc/self/cwd).
PSEUDO_FOLDERS = ("/dev", "/proc", "/sys")
PATH_RULES = (
    (lambda path: path in SYSTEM_FOLDERS, N_("{shown} is a system folder; deploy to a folder of its own")),
    (lambda path: any(path.startswith(folder + "/") for folder in PSEUDO_FOLDERS),
     N_("{shown} is inside a system folder; deploy to a folder of its own")),
)


def check_path(target: DeployTarget, field: str, resolved: str) -> None:
    """Refuse a folder that is, or resolves to, a system folder: site.yaml's check sees only
    the text, and /etc/. or a link to /etc read as something else there."""
    for path in dict.fromkeys((posixpath.normpath(target.path), resolved)):
        for matches, what in PATH_RULES:
            if matches(path):
                shown = target.path if path == target.path else _("{path} (that is, {resolved})").format(
                    path=target.path, resolved=path)
                raise _config_error(target, field, _(what).format(shown=shown))


def _kind(path: Path) -> str:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return NONE
    return LINK if stat.S_ISLNK(mode) else FOLDER if stat.S_ISDIR(mode) else FILE


def _empty(folder: str, keep: tuple[str, ...] = ()) -> None:
    """Delete what `folder` holds but `keep`, never following a link."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name in keep:
                continue
            if entry.is_dir(follow_symlinks=False):
                _empty(entry.path)
                os.rmdir(entry.path)
            else:
                os.unlink(entry.path)


class DirTarget:
    """A target folder on this machine (type: dir), such as the web root a local nginx serves."""

    def __init__(self, target: DeployTarget) -> None:
        self.target = target
        self.where = target.path
        self.root = Path(os.path.realpath(target.path))
        check_path(target, "path", str(self.root))
        self.folder = self.root / "releases"

    def survey(self) -> Survey:
        """The survey, by lstat: a link is reported as one, never followed."""
        current = self.root / "current"
        entries = []
        if _kind(self.folder) == FOLDER:
            for name in sorted(os.listdir(self.folder)):
                kind = _kind(self.folder / name)
                marked = kind == FOLDER and any(_kind(self.folder / name / own) == FILE for own in OWN_FILES)
                entries.append(Found(name, kind, marked, kind == FOLDER and not os.listdir(self.folder / name)))
        return Survey(_kind(current), os.readlink(current) if _kind(current) == LINK else "",
                      _kind(self.root / "current.new"), _kind(self.folder), tuple(entries))

    def manifest(self, release: str) -> Manifest:
        """The release's manifest file, read only where it is a plain file."""
        path = self.folder / release / MANIFEST
        return from_json(path.read_text(encoding="utf-8") if _kind(path) == FILE else None)

    def sizes(self, folder: str) -> dict[str, int]:
        """The release's files by walking it; a link is reported, never followed."""
        found: dict[str, int] = {}
        top = self.folder / folder
        for parent, folders, files in os.walk(top):
            for name in files + [f for f in folders if os.path.islink(os.path.join(parent, f))]:
                status = os.lstat(os.path.join(parent, name))
                relative = os.path.relpath(os.path.join(parent, name), top).replace(os.sep, "/")
                found[relative] = status.st_size if stat.S_ISREG(status.st_mode) else -1
        return found

    def install(self, staged: Release, release: str, previous: str | None) -> None:
        """New and changed files copied, the rest hard-linked to the live release, into a
        marked .partial- folder that takes the release's name once its manifest is in."""
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / (PARTIAL + release)
        partial.mkdir()
        (partial / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        old = self.manifest(previous) if previous else {}
        make_folders(partial, list(staged.manifest))
        for name, entry in sorted(staged.manifest.items()):
            target = partial / name
            try:
                if not previous or old.get(name) != entry:
                    raise FileNotFoundError(name)
                os.link(self.folder / previous / name, target)
            except OSError:  # new, changed, or gone from the live release
                shutil.copyfile(staged.sources[name], target)
        (partial / MANIFEST).write_text(staged.manifest_json(), encoding="utf-8")
        os.rename(partial, self.folder / release)

    def rename(self, old: str, new: str) -> None:
        """One rename inside releases/."""
        os.rename(self.folder / old, self.folder / new)

    def delete(self, found: Found) -> None:
        """A marked folder is emptied but for its marker and manifest, which go last, so a
        deploy stopped meanwhile leaves it still recognisably gongkai's; then it is removed."""
        folder = str(self.folder / found.name)
        if found.marked:
            _empty(folder, keep=OWN_FILES)
            for own in OWN_FILES:
                Path(folder, own).unlink(missing_ok=True)
        os.rmdir(folder)

    def switch(self, release: str) -> None:
        """`current.new` made and renamed over `current`: the web server finds the old
        release or the new one, and always one of them."""
        fresh = self.root / "current.new"
        fresh.unlink(missing_ok=True)  # a link a stopped switch left (the survey refuses anything else)
        os.symlink(f"releases/{release}", fresh)
        os.replace(fresh, self.root / "current")


# The survey on the server, in POSIX sh: the same facts DirTarget.survey reads, a line each.
SURVEY_SH = """
kind() { if [ -L "$1" ]; then echo link; elif [ -d "$1" ]; then echo dir; elif [ -e "$1" ]; then echo file;
         else echo none; fi; }
own() { [ -f "$1" ] && [ ! -L "$1" ]; }
cd "$ROOT" 2>/dev/null || exit 0
printf 'current.new %s\\n' "$(kind current.new)"
printf 'releases %s\\n' "$(kind releases)"
printf 'current %s %s\\n' "$(kind current)" "$(readlink current 2>/dev/null)"
[ "$(kind releases)" = dir ] || exit 0
for e in releases/* releases/.[!.]* releases/..?*; do
  [ -e "$e" ] || [ -L "$e" ] || continue
  k=$(kind "$e"); m=0; z=0
  if [ "$k" = dir ] && { own "$e/$MARKER" || own "$e/$MANIFEST"; }; then m=1; fi
  if [ "$k" = dir ] && [ -z "$(ls -A "$e")" ]; then z=1; fi
  printf 'entry %s %s %s %s\\n' "$k" "$m" "$z" "${e#releases/}"
done
"""


class RsyncTarget:
    """The system's ssh and rsync, called with argument lists (no local shell); every value
    in a remote command is quoted, and host keys must already be known."""

    def __init__(self, target: DeployTarget, work: Path) -> None:
        assert target.host is not None
        self.target = target
        self.host = target.host
        self.where = f"{target.host}:{target.path}"
        if any(part.startswith("-") for part in self.host.split("@")):
            raise _config_error(target, "dest", _("{host}: the user and host must not begin with - "
                                                  "(ssh and rsync would read them as options)").format(host=self.host))
        check_path(target, "dest", posixpath.normpath(target.path))
        self.work = work  # where the release is laid out as a folder for rsync
        options = ["-p", str(target.port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                   "-o", "ConnectTimeout=10"]
        if target.identity:
            options += ["-i", os.path.expanduser(target.identity), "-o", "IdentitiesOnly=yes"]
        if target.known_hosts:
            options += ["-o", f"UserKnownHostsFile={os.path.expanduser(target.known_hosts)}"]
        self.ssh_options = options
        self.root = self.remote(f"realpath -m -- {shlex.quote(target.path)}", N_("resolving the folder")).strip()
        check_path(target, "dest", self.root)

    def _run(self, command: list[str], what: str) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            reason = str(err)
            if isinstance(err, OSError):  # the program missing (rsync, ssh), or not to be started
                reason = system_reason(err) if not err.filename else _("{reason}: {file}").format(
                    reason=system_reason(err), file=err.filename)
            raise target_error(self.target, self.where, _("{what} failed: {reason}").format(what=_(what),
                                                                                          reason=reason)) from None
        if done.returncode != 0:
            detail = (done.stderr.strip().splitlines() or [_("exit {status}").format(status=done.returncode)])[-1]
            raise target_error(self.target, self.where, _("{what} failed on {host}: {detail}").format(
                what=_(what), host=self.host, detail=detail))
        return done.stdout

    def remote(self, script: str, what: str) -> str:
        """Run a command on the server over ssh and return what it printed; `what` names the
        step in an error. Every value in `script` must already be quoted."""
        return self._run(["ssh", *self.ssh_options, self.host, "--", script], what)

    def path(self, *parts: str) -> str:
        """A path under the target's folder on the server, quoted for its shell."""
        return shlex.quote("/".join([self.root, *parts]))

    def survey(self) -> Survey:
        """The survey by SURVEY_SH, run on the server in one ssh call."""
        settings = f"ROOT={self.path()} MARKER={shlex.quote(MARKER)} MANIFEST={shlex.quote(MANIFEST)}"
        facts: dict[str, list[str]] = {}
        entries = []
        for line in self.remote(settings + SURVEY_SH, N_("reading the target")).splitlines():
            word, _, rest = line.partition(" ")
            if word == "entry" and rest.count(" ") >= 3:
                kind, marked, empty, name = rest.split(" ", 3)
                entries.append(Found(name, kind, marked == "1", empty == "1"))
            else:
                facts[word] = rest.split(" ", 1)
        current = [*facts.get("current", [NONE]), ""]
        return Survey(current[0], current[1], facts.get("current.new", [NONE])[0],
                      facts.get("releases", [NONE])[0], tuple(entries))

    def manifest(self, release: str) -> Manifest:
        """The release's manifest, read over ssh; {} when there is none."""
        return from_json(self.remote(f"cat {self.path('releases', release, MANIFEST)} 2>/dev/null || true",
                                     N_("reading a manifest")))

    def sizes(self, folder: str) -> dict[str, int]:
        """The release's files by `find` on the server; a link is reported (-1), never followed."""
        listing = self.remote(f"cd {self.path('releases', folder)} && find . ! -type d -printf '%y %s %P\\n'",
                              N_("listing a release"))
        found = {}
        for line in listing.splitlines():
            kind, size, name = line.split(" ", 2)
            found[name] = int(size) if kind == "f" else -1
        return found

    def install(self, staged: Release, release: str, previous: str | None) -> None:
        """The release laid out here as a folder of hard links, then sent by rsync into a
        marked .partial- folder on the server, files unchanged since the live release
        hard-linked to it there (--link-dest), and renamed once complete."""
        partial = PARTIAL + release
        folder = self.work / "release"
        staged.materialize(folder)
        self.remote(f"mkdir -p {self.path('releases')} && mkdir {self.path('releases', partial)} && "
                    f"printf %s {shlex.quote(MARKER_TEXT)} > {self.path('releases', partial, MARKER)}",
                    N_("preparing the release folder"))
        command = ["rsync", "--recursive", "--links", "--perms", "--times", "--checksum", "--delete",
                   "-e", shlex.join(["ssh", *self.ssh_options])]
        if previous:
            command.append(f"--link-dest=../{previous}")  # unchanged files become hard links to the live release
        command += [f"{folder}/", f"{self.host}:{self.root}/releases/{partial}/"]
        try:
            self._run(command, N_("uploading"))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        self.rename(partial, release)

    def rename(self, old: str, new: str) -> None:
        """`mv -T` on the server: one rename, never a move into a folder that has the new name."""
        self.remote(f"mv -T -- {self.path('releases', old)} {self.path('releases', new)}", N_("renaming a release"))

    def delete(self, found: Found) -> None:
        """`find … -delete` on the server, a marked folder's marker and manifest last."""
        name = shlex.quote(found.name)  # a name of layout.py's shapes: no quotes or wildcards in it
        script = f"rmdir -- {name}"
        if found.marked:
            keep = " ".join(f"! -path {name}/{own}" for own in OWN_FILES)
            owned = " ".join(f"{name}/{own}" for own in OWN_FILES)
            script = f"find {name} -mindepth 1 {keep} -delete && rm -f -- {owned} && {script}"
        self.remote(f"cd {self.path('releases')} && {script}", N_("deleting a release"))

    def switch(self, release: str) -> None:
        """`current.new` made with `ln -sfn` and renamed over `current` with `mv -T`: one
        step on the server, as on a folder here."""
        self.remote(f"ln -sfn {shlex.quote('releases/' + release)} {self.path('current.new')} && "
                    f"mv -T {self.path('current.new')} {self.path('current')}", N_("switching the live release"))


def open_target(target: DeployTarget, work: Path) -> Target:
    """The target of site.yaml's type: a folder here (dir) or a server over SSH (rsync)."""
    return DirTarget(target) if target.type == "dir" else RsyncTarget(target, work)
