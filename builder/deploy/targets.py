"""Where releases go: a folder here (dir) or a server over SSH (rsync).

Both keep the same layout under the configured folder:

    releases/<id>/     one folder per release, each with its .gongkai-manifest.json
    current -> releases/<id>

A release is written as releases/.partial-<id>, renamed when complete, and made live by
renaming a new `current` link over the old one, so readers see the old site or the new
one, never a mix. Files unchanged since the live release are hard links to it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Protocol

from builder.config import DeployTarget
from builder.deploy.release import MANIFEST, Manifest, Release, from_json, make_folders
from builder.errors import GongkaiError, Problem

RELEASE_NAME = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")
PARTIAL = ".partial-"


class Target(Protocol):
    def live(self) -> str | None: ...
    def releases(self) -> list[str]: ...
    def manifest(self, release: str) -> Manifest: ...
    def install(self, staged: Release, release: str, previous: str | None) -> None: ...
    def switch(self, release: str) -> None: ...
    def remove(self, releases: list[str]) -> None: ...


def _fail(target: DeployTarget, message: str) -> GongkaiError:
    return GongkaiError(Problem("site.yaml", f"deploy target {target.name}: {message}", field=f"deploy.{target.name}"))


def _live_release(target: DeployTarget, link: str | None) -> str | None:
    """The release `current` names; anything but releases/<id> is a target we did not make."""
    if link is None or link == "":
        return None
    name = link.removeprefix("releases/")
    if link == name or not RELEASE_NAME.match(name):
        raise _fail(target, f"{target.path}/current points to {link}, outside its releases/ folder; "
                            "refusing to touch a web root gongkai did not set up")
    return name


class DirTarget:
    def __init__(self, target: DeployTarget) -> None:
        self.target = target
        self.root = Path(target.path)

    def live(self) -> str | None:
        current = self.root / "current"
        if current.exists() and not current.is_symlink():
            raise _fail(self.target, f"{current} is a real folder, not a link gongkai made; move it away first")
        return _live_release(self.target, os.readlink(current) if current.is_symlink() else None)

    def releases(self) -> list[str]:
        folder = self.root / "releases"
        return sorted(name for name in os.listdir(folder) if RELEASE_NAME.match(name)) if folder.is_dir() else []

    def manifest(self, release: str) -> Manifest:
        path = self.root / "releases" / release / MANIFEST
        return from_json(path.read_text(encoding="utf-8") if path.is_file() else None)

    def install(self, staged: Release, release: str, previous: str | None) -> None:
        releases = self.root / "releases"
        releases.mkdir(parents=True, exist_ok=True)
        for stale in releases.glob(PARTIAL + "*"):  # left by a deploy that was stopped
            shutil.rmtree(stale)
        partial = releases / (PARTIAL + release)
        old = self.manifest(previous) if previous else {}
        make_folders(partial, list(staged.manifest))
        for name, entry in sorted(staged.manifest.items()):
            target = partial / name
            try:
                if not previous or old.get(name) != entry:
                    raise FileNotFoundError(name)
                os.link(releases / previous / name, target)
            except OSError:  # new, changed, or gone from the live release
                shutil.copyfile(staged.sources[name], target)
        (partial / MANIFEST).write_text(staged.manifest_json(), encoding="utf-8")
        os.rename(partial, releases / release)

    def switch(self, release: str) -> None:
        fresh = self.root / "current.new"
        fresh.unlink(missing_ok=True)
        os.symlink(f"releases/{release}", fresh)
        os.replace(fresh, self.root / "current")

    def remove(self, releases: list[str]) -> None:
        for release in releases:
            shutil.rmtree(self.root / "releases" / release)


class RsyncTarget:
    """The system's ssh and rsync, called with argument lists (no local shell); every value
    in a remote command is quoted, and host keys must already be known."""

    def __init__(self, target: DeployTarget, work: Path) -> None:
        self.target = target
        self.root = target.path
        self.work = work  # where the release is laid out as a folder for rsync
        options = ["-p", str(target.port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                   "-o", "ConnectTimeout=10"]
        if target.identity:
            options += ["-i", os.path.expanduser(target.identity), "-o", "IdentitiesOnly=yes"]
        if target.known_hosts:
            options += ["-o", f"UserKnownHostsFile={os.path.expanduser(target.known_hosts)}"]
        self.ssh_options = options

    def _run(self, command: list[str], what: str) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise _fail(self.target, f"{what} failed: {err}") from None
        if done.returncode != 0:
            detail = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
            raise _fail(self.target, f"{what} failed on {self.target.host}: {detail}")
        return done.stdout

    def remote(self, script: str, what: str) -> str:
        assert self.target.host is not None
        return self._run(["ssh", *self.ssh_options, self.target.host, "--", script], what)

    def path(self, *parts: str) -> str:
        return shlex.quote("/".join([self.root, *parts]))

    def live(self) -> str | None:
        link = self.remote(f"if [ -L {self.path('current')} ]; then readlink {self.path('current')}; "
                           f"elif [ -e {self.path('current')} ]; then echo NOT-A-LINK; fi", "reading the live release")
        if link.strip() == "NOT-A-LINK":
            raise _fail(self.target, f"{self.root}/current on {self.target.host} is not a link gongkai made")
        return _live_release(self.target, link.strip() or None)

    def releases(self) -> list[str]:
        names = self.remote(f"ls -1 {self.path('releases')} 2>/dev/null || true", "listing releases")
        return sorted(name for name in names.split() if RELEASE_NAME.match(name))

    def manifest(self, release: str) -> Manifest:
        return from_json(self.remote(f"cat {self.path('releases', release, MANIFEST)} 2>/dev/null || true",
                                     "reading the live manifest"))

    def install(self, staged: Release, release: str, previous: str | None) -> None:
        partial = PARTIAL + release
        folder = self.work / "release"
        staged.materialize(folder)
        self.remote(f"mkdir -p {self.path('releases')} && rm -rf {self.path('releases')}/{PARTIAL}*",
                    "preparing the releases folder")
        assert self.target.host is not None
        command = ["rsync", "--recursive", "--links", "--perms", "--times", "--checksum", "--delete",
                   "-e", shlex.join(["ssh", *self.ssh_options])]
        if previous:
            command.append(f"--link-dest=../{previous}")  # unchanged files become hard links to the live release
        command += [f"{folder}/", f"{self.target.host}:{self.root}/releases/{partial}/"]
        try:
            self._run(command, "uploading")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        self.remote(f"mv {self.path('releases', partial)} {self.path('releases', release)}", "completing the release")

    def switch(self, release: str) -> None:
        self.remote(f"ln -sfn {shlex.quote('releases/' + release)} {self.path('current.new')} && "
                    f"mv -T {self.path('current.new')} {self.path('current')}", "switching the live release")

    def remove(self, releases: list[str]) -> None:
        if releases:
            self.remote("rm -rf " + " ".join(self.path("releases", r) for r in releases), "removing old releases")


def open_target(target: DeployTarget, work: Path) -> Target:
    return DirTarget(target) if target.type == "dir" else RsyncTarget(target, work)
