"""A build's plan against the last one's state: the notices loaded (those unchanged from the
cache), the site indexed and planned, and what changed found: which outputs to render, which
to keep as the last build left them, and which went.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, TemplateError

from builder.config import SiteConfig
from builder.content import Cached, Loaded, load_notices, notice_slug, read_again
from builder.errors import GongkaiError
from builder.frame import SiteFrame, frame_key, site_frame, site_key
from builder.fsio import State, file_states
from builder.output import Origin, Output
from builder.paths import check_outputs, path_problem
from builder.plan import Part, SitePlan
from builder.record import BuildState, PartKeys, load_content, load_record, shard_of
from builder.site_index import SiteIndex, index_site
from builder.stamp import Stamp
from builder.theme import static_files, template_problem, theme_environment, theme_keys
from builder.urls import notice_page


@dataclass
class Memory:
    """What a long-running caller (a preview) keeps between its builds instead of reading
    .gongkai-cache/: the last build's state, and its compiled templates."""

    state: BuildState = field(default_factory=BuildState)
    env: Environment | None = None


@contextmanager
def collector_paused() -> Iterator[None]:
    """Reading the build record and planning make a few hundred thousand objects and no
    garbage cycles; the cycle collector would walk all of them again and again, a large part
    of a rebuild's time. They live to the end of the build, so they are then
    frozen: later collections, and forked renderers, leave them alone. A long-running
    caller's next build unfreezes the last one's."""
    enabled = gc.isenabled()
    gc.unfreeze()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _plan(parts: list[Part], known: dict[str, PartKeys], damaged: set[str],
          previous: dict[str, str]) -> tuple[list[Output], dict[str, PartKeys]]:
    """Plan each part whose key is not as the last build left it, or with an output found
    damaged; take the last build's keys for the others. Returns the outputs planned, and
    each part's key with its outputs' keys, for the next build. Every output path, planned
    or taken over, is checked (builder/paths.py) before anything is written; `previous`
    holds the last build's."""
    planned: list[Output] = []
    kept: list[tuple[str, Origin]] = []
    record: dict[str, PartKeys] = {}
    for part in parts:
        last = known.get(part.name)
        if last is not None and last[0] == part.key and (not damaged or damaged.isdisjoint(last[1])):
            record[part.name] = last
            kept += [(path, part.origin) for path in last[1]]
        else:
            made = part.plan()
            planned += made
            record[part.name] = (part.key, {o.path: o.key for o in made})
    check_outputs([(o.path, o.origin) for o in planned], kept, previous)
    return planned, record


@dataclass
class Planned:
    """What a build found and planned, for its publish and save phases."""

    # The last build's state, its content cache as far as this build read it; its slug memo
    # (pinyin slugs kept across builds) this one fills in.
    cache: BuildState
    loaded: Loaded
    frame: SiteFrame
    env: Environment
    theme_key: str
    template_keys: dict[str, str]
    keys: dict[str, str]  # every output's key
    parts: dict[str, PartKeys]
    todo: list[Output]  # the outputs to render
    removed: list[str]  # the last build's outputs that are gone
    previous: dict[str, str]  # the last build's outputs' keys
    found: State  # the last build's outputs as they are now


@dataclass(frozen=True)
class Left:
    """The last build's outputs as this one finds them."""

    parts: dict[str, PartKeys]  # each part of its plan, with its outputs' keys
    keys: dict[str, str]  # each output's key
    found: State  # each output's file as it is now
    damaged: set[str]  # outputs gone, or not as the last build left them (edited by hand)


def _left(out: Path, cache: BuildState, watched: bool) -> Left:
    """What the last build left in `out`. An output gone or changed since is rendered again;
    a long-running caller's output folder (a preview's) is its own and not `watched`."""
    parts = cache.parts if out.is_dir() else {}
    keys = {path: key for _, outputs in parts.values() for path, key in outputs.items()}
    if not (keys and watched):
        return Left(parts, keys, {}, set())
    found = file_states(out, cache.states)
    if found == cache.states:  # as it nearly always is: one comparison, not one a path
        return Left(parts, keys, found, set())
    return Left(parts, keys, found, {path for path in keys if found.get(path, ()) != cache.states.get(path)})


def _load(root: Path, config: SiteConfig, listing: State, drafts: bool, jobs: int,
          cache: BuildState) -> tuple[Loaded, SiteIndex]:
    """The notices (those unchanged since the last build from its cache) and the site's groups."""
    loaded = load_notices(root / "content", listing, cache.content, jobs)
    return loaded, index_site([n for n in loaded.notices if drafts or not n.draft], config, cache.slugs)


def _body_edits(content: Path, listing: State, cache: BuildState, key: str, left: Left,
                memory: Memory | None, jobs: int) -> tuple[Loaded, dict[str, Cached], SiteFrame] | None:
    """When all that changed since the last build is notices' bodies (the same files; each
    changed one a notice whose metadata digest is as the last build's frame has it, a frame
    made under the same `key`; no output damaged): the edited notices read again, with the
    files of the others their feeds show, and the content cache as far as read. None when
    anything else changed: the whole site is then read and planned."""
    frame = cache.frame
    last = cache.listing
    if frame is None or frame.key != key or not left.parts or left.damaged or listing.keys() != last.keys():
        return None
    paths = [path for path, state in listing.items() if last[path] != state] if listing != last else []
    if not all(notice_slug(path) for path in paths):
        return None
    edited = read_again(content, listing, paths, jobs)
    if edited is None or any(entry.meta_digest != frame.summaries.get(slug, ("",))[0]
                             for slug, entry in edited.items()):
        return None
    # The feeds that show an edited notice show the others' bodies too: their files.
    shown = {notice.slug for feed in frame.feeds_showing(set(edited)) for notice in feed.notices} - edited.keys()
    files = dict(zip(edited, paths, strict=True))
    if shown:
        files |= {slug: path for path in listing if (slug := notice_slug(path)) in shown}
    known = cache.content if memory is not None else load_content(content.parent, map(shard_of, edited))
    loaded = Loaded([entry.notice for entry in edited.values()], {**known, **edited},
                    {slug: f"{content}/{path}" for slug, path in files.items()})
    return loaded, known, frame


def _plan_edits(plan: SitePlan, drafts: bool, left: Left) -> tuple[list[Output], dict[str, PartKeys]]:
    """A plan of body edits (see `_body_edits`): the edited notices' parts and those of the
    feeds that show them, the rest of the last build's parts as they are."""
    notices = plan.notice_parts(n for n in plan.loaded.notices if drafts or not n.draft)
    feeds = plan.frame.feeds_showing({n.slug for n in plan.loaded.notices})
    notice_keys = {name: left.parts[name][0] for feed in feeds for n in feed.notices for name in [notice_page(n.slug)]}
    notice_keys |= {part.name: part.key for part in notices}
    outputs, record = _plan([*plan.feed_parts(feeds, notice_keys), *notices], left.parts, left.damaged, left.keys)
    return outputs, {**left.parts, **record}


def plan_build(root: Path, config: SiteConfig, out: Path, listing: State, drafts: bool, jobs: int,
                memory: Memory | None, stamp: Stamp | None = None) -> Planned:
    """Load, index and plan: which outputs to render, which to keep, which went. `stamp`:
    the last build's, when already read. A build of body edits alone plans from the last
    build's frame the edited notices and the feeds that show them, and keeps the rest."""
    cache = memory.state if memory is not None else load_record(root, out, stamp)
    left = _left(out, cache, watched=memory is None)
    env = theme_environment(root / "theme")
    statics = static_files(root / "theme")
    assets = {name: hashlib.sha256(path.read_bytes()).hexdigest()[:10] for name, path in statics.items()}
    try:
        theme_key, template_keys = theme_keys(env, cache.theme, cache.template_keys)
        if memory is not None and memory.env is not None and cache.theme == theme_key:
            env = memory.env  # already compiled: a long-running caller reuses it
        site = site_key(config, assets)
        key = frame_key(site, template_keys, drafts)
        edits = _body_edits(root / "content", listing, cache, key, left, memory, jobs)
        if edits is not None:
            loaded, cache.content, frame = edits
            plan = SitePlan(root, config, env, loaded, assets, template_keys, frame)
            outputs, record = _plan_edits(plan, drafts, left)
        else:
            if memory is None:
                cache.content = load_content(root)
            loaded, index = _load(root, config, listing, drafts, jobs, cache)
            frame, statuses = site_frame(index, loaded.cache, config, site, key)
            plan = SitePlan(root, config, env, loaded, assets, template_keys, frame, index, statuses)
            outputs, record = _plan(plan.parts(statics), left.parts, left.damaged, left.keys)
    except TemplateError as err:
        raise GongkaiError(template_problem(err)) from None
    keys = {path: output_key for _, part_keys in record.values() for path, output_key in part_keys.items()}
    todo = [o for o in outputs if left.keys.get(o.path) != o.key or o.path in left.damaged]
    # Paths come from the last build's record: one that is no plain path inside the
    # output folder (a record written before paths were checked) is never deleted.
    removed = sorted(path for path in left.keys.keys() - keys.keys() if path_problem(path) is None)
    return Planned(cache, loaded, frame, env, theme_key, template_keys, keys, record, todo, removed,
                   left.keys, left.found)


def plan_for_worker(root: Path, config: SiteConfig, out: Path, listing: State, drafts: bool,
                    slugs: dict[str, str]) -> list[Output]:
    """A cluster worker's plan of the client's build (builder/cluster.py): every output,
    planned from the content cache the client saved and with its slugs."""
    memory = Memory(BuildState(content=load_content(root), slugs=dict(slugs)))
    return plan_build(root, config, out, listing, drafts, 1, memory).todo
