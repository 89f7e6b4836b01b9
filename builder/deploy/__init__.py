"""`gongkai deploy`: publish the built site to a configured target, atomically.

Steps: check the built site (as `gongkai check` does) and that it was built for the
target's address; stage a release with precompressed copies and a manifest; compare with
the live release's manifest (the same: nothing to do); upload only what changed; verify
the release against its manifest; switch `current`; prune releases beyond `keep`. Nothing
live changes before the upload is complete and verified, and a deploy stopped at any point
leaves only .partial-/.prune- folders of its own, which the next one removes (layout.py).
"""

from __future__ import annotations

import calendar
import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from builder.check import Checked, check_site
from builder.config import DeployTarget, SiteConfig
from builder.deploy.layout import FOLDER, PRUNE, Found, Survey, damage, refusal
from builder.deploy.release import Manifest, Plan, plan, stage
from builder.deploy.targets import Target, open_target, target_error
from builder.errors import GongkaiError, Problem, system_reason
from builder.i18n import _
from builder.inspection import Severity, inspect, read_site
from builder.record import CACHE_DIR


@dataclass(frozen=True)
class Deployed:
    """What a deploy did, or with --dry-run would do: the release's name and the plan of
    files added, changed and removed."""

    release: str
    plan: Plan
    dry_run: bool
    unchanged: bool = False  # the built site is the live release: nothing was uploaded, switched or pruned


def pick_target(config: SiteConfig, name: str | None) -> DeployTarget:
    """The deploy target named on the command line, or site.yaml's only one; when the choice
    is not clear, an error lists the names there are."""
    names = [target.name for target in config.deploy]
    if not names:
        raise GongkaiError(Problem("site.yaml", _("no deploy targets: add one under deploy:"), field="deploy"))
    if name is None:
        if len(names) > 1:
            raise GongkaiError(Problem("site.yaml", _("several deploy targets ({names}): name one").format(
                names=", ".join(names)), field="deploy"))
        return config.deploy[0]
    for target in config.deploy:
        if target.name == name:
            return target
    raise GongkaiError(Problem("site.yaml", _("no deploy target {name} (known: {names})").format(
        name=name, names=", ".join(names)), field="deploy"))


STAMP = "%Y%m%dT%H%M%SZ"


def release_name(manifest_digest: str, existing: list[str], now: float) -> str:
    """A name that sorts after every existing release: rollback and pruning go by name order,
    so two deploys within one second, or a clock set back, must not reorder releases."""
    second = int(now)
    if existing:
        second = max(second, calendar.timegm(time.strptime(existing[-1].split("-")[0], STAMP)) + 1)
    return time.strftime(STAMP, time.gmtime(second)) + "-" + manifest_digest[:8]


def deploy(root: Path, config: SiteConfig, target: DeployTarget, public: Path, dry_run: bool,
           say: Callable[[str], None], force: bool = False) -> Deployed:
    """Publish the built site in `public` to `target`, by the steps the module names;
    nothing live changes until the new release is uploaded and verified. `force` overrides
    only the inspection's 不合格, never the site check or the address it was built for."""
    checked = check_site(public)
    if checked.problems:
        raise GongkaiError(*checked.problems[:20])
    if not force:
        _refuse_failing(root, config, public, checked)
    expected = target.url or config.base_url
    if checked.built_for != expected:
        raise GongkaiError(Problem(public.as_posix(), _("built for {built_for}, but target {target} serves {expected}: "
                                                            "build with --base-url {expected}").format(
            built_for=checked.built_for, target=target.name, expected=expected), field="base_url"))
    work = root / CACHE_DIR / "deploy"
    staged = stage(public, work / "compressed")
    destination = open_target(target, work)
    with _reported(target, destination):
        found = _survey(target, destination)
        live = found.live
        live_manifest = destination.manifest(live) if live else {}
        the_plan = plan(live_manifest, staged.manifest)
        if live and live_manifest == staged.manifest and not _damage(destination, live, live_manifest):
            if not dry_run:
                _clear(destination, found.leftovers)  # what a deploy stopped after its switch left
            return Deployed(live, the_plan, dry_run, unchanged=True)
        digest = hashlib.sha256(staged.manifest_json().encode("utf-8")).hexdigest()
        release = release_name(digest, found.releases, time.time())
        if dry_run:
            for label, names in ((_("  add {name}"), the_plan.added), (_("  change {name}"), the_plan.changed),
                                 (_("  remove {name}"), the_plan.removed)):
                for name in names:
                    say(label.format(name=name))
            return Deployed(release, the_plan, True)
        _clear(destination, found.leftovers)
        destination.install(staged, release, live)
        wrong = _damage(destination, release, staged.manifest)
        if wrong:
            raise target_error(target, destination.where, _("release {release} is incomplete after upload ({wrong}); "
                                                            "the live site is unchanged").format(release=release,
                                                                                                 wrong=wrong))
        destination.switch(release)
        releases = [*found.releases, release]
        prune = releases[: max(0, len(releases) - target.keep)]  # rollback goes by name order too
        for name in prune:  # renamed first: a half-deleted release never keeps a release's name
            destination.rename(name, PRUNE + name)
        _clear(destination, [Found(PRUNE + name, FOLDER, marked=True, empty=False) for name in prune])
    return Deployed(release, the_plan, False)


def _refuse_failing(root: Path, config: SiteConfig, public: Path, checked: Checked) -> None:
    """A site the inspection fails (不合格) is not published: the inspectors would fail it."""
    failing = [f for f in inspect(read_site(root, config, public, checked)) if f.severity == Severity.FAIL]
    if failing:
        raise GongkaiError(*(Problem(f.where, f"{f.rule}: {f.message}", f.line) for f in failing[:20]),
                           Problem(public.as_posix(), _("{count} 不合格 findings (gongkai check lists them): "
                                                        "not deployed; fix them, or deploy --force").format(
                                                            count=len(failing))))


def rollback(root: Path, target: DeployTarget, say: Callable[[str], None]) -> tuple[str, str]:
    """Make the newest complete release before the live one live again; (from, to)."""
    destination = open_target(target, root / CACHE_DIR / "deploy")
    with _reported(target, destination):
        found = _survey(target, destination)
        live = found.live
        for earlier in reversed([r for r in found.releases if live is not None and r < live]):
            wrong = _damage(destination, earlier, destination.manifest(earlier))
            if not wrong and live is not None:
                destination.switch(earlier)
                return live, earlier
            say(_("skipping release {release}: incomplete ({wrong})").format(release=earlier, wrong=wrong))
    raise target_error(target, destination.where,
                       _("no earlier complete release to roll back to (release {release} stays live)").format(
                           release=live) if live else
                       _("no earlier complete release to roll back to (no release of gongkai's is live there)"))


def _survey(target: DeployTarget, destination: Target) -> Survey:
    found = destination.survey()
    refused = refusal(found)
    if refused:
        raise target_error(target, destination.where, refused)
    return found


def _damage(destination: Target, release: str, manifest: Manifest) -> str | None:
    return damage(manifest, destination.sizes(release))


def _clear(destination: Target, leftovers: list[Found]) -> None:
    for found in leftovers:
        destination.delete(found)


@contextmanager
def _reported(target: DeployTarget, destination: Target) -> Iterator[None]:
    """A file system error on the target as one line naming it, not a traceback."""
    try:
        yield
    except OSError as err:
        raise target_error(target, destination.where, _("{reason}: {file}").format(reason=system_reason(err),
                                                                                     file=err.filename)) from None
