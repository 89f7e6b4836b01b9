"""`gongkai deploy`: publish the built site to a configured target, atomically.

Steps: check the built site (as `gongkai check` does) and that it was built for the
target's address; stage a release with precompressed copies and a manifest; compare with
the live release's manifest; upload only what changed; switch `current`; prune releases
beyond `keep`. Nothing on the target changes before the upload is complete, and a stopped
deploy leaves only a .partial folder that the next one removes.
"""

from __future__ import annotations

import calendar
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from builder.check import check_site
from builder.config import DeployTarget, SiteConfig
from builder.deploy.release import Plan, plan, stage
from builder.deploy.targets import open_target
from builder.errors import GongkaiError, Problem
from builder.record import CACHE_DIR


@dataclass(frozen=True)
class Deployed:
    release: str
    plan: Plan
    dry_run: bool


def pick_target(config: SiteConfig, name: str | None) -> DeployTarget:
    names = [target.name for target in config.deploy]
    if not names:
        raise GongkaiError(Problem("site.yaml", "no deploy targets: add one under deploy:", field="deploy"))
    if name is None:
        if len(names) > 1:
            raise GongkaiError(Problem("site.yaml", f"several deploy targets ({', '.join(names)}): name one",
                                       field="deploy"))
        return config.deploy[0]
    for target in config.deploy:
        if target.name == name:
            return target
    raise GongkaiError(Problem("site.yaml", f"no deploy target {name} (known: {', '.join(names)})", field="deploy"))


STAMP = "%Y%m%dT%H%M%SZ"


def release_name(manifest_digest: str, existing: list[str], now: float) -> str:
    """A name that sorts after every existing release: rollback and pruning go by name order,
    so two deploys within one second, or a clock set back, must not reorder releases."""
    second = int(now)
    if existing:
        second = max(second, calendar.timegm(time.strptime(existing[-1].split("-")[0], STAMP)) + 1)
    return time.strftime(STAMP, time.gmtime(second)) + "-" + manifest_digest[:8]


def deploy(root: Path, config: SiteConfig, target: DeployTarget, public: Path, dry_run: bool,
           say: Callable[[str], None]) -> Deployed:
    checked = check_site(public)
    if checked.problems:
        raise GongkaiError(*checked.problems[:20])
    expected = target.url or config.base_url
    if checked.built_for != expected:
        raise GongkaiError(Problem(public.as_posix(), f"built for {checked.built_for}, but target {target.name} "
                                   f"serves {expected}: build with --base-url {expected}", field="base_url"))
    work = root / CACHE_DIR / "deploy"
    staged = stage(public, work / "compressed")
    destination = open_target(target, work)
    live = destination.live()
    the_plan = plan(destination.manifest(live) if live else {}, staged.manifest)
    digest = hashlib.sha256(staged.manifest_json().encode("utf-8")).hexdigest()
    release = release_name(digest, destination.releases(), time.time())
    if dry_run:
        for label, names in (("add", the_plan.added), ("change", the_plan.changed), ("remove", the_plan.removed)):
            for name in names:
                say(f"  {label} {name}")
        return Deployed(release, the_plan, True)
    destination.install(staged, release, live)
    destination.switch(release)
    releases = destination.releases()
    destination.remove([r for r in releases[: max(0, len(releases) - target.keep)] if r != release])
    return Deployed(release, the_plan, False)


def rollback(root: Path, target: DeployTarget) -> tuple[str, str]:
    """Make the release before the live one live again; (from, to)."""
    destination = open_target(target, root / CACHE_DIR / "deploy")
    live = destination.live()
    earlier = [r for r in destination.releases() if live is None or r < live]
    if live is None or not earlier:
        raise GongkaiError(Problem("site.yaml", f"deploy target {target.name}: no earlier release to roll back to",
                                   field=f"deploy.{target.name}"))
    destination.switch(earlier[-1])
    return live, earlier[-1]
