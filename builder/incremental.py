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
from builder.content import Loaded, load_notices
from builder.errors import GongkaiError
from builder.fsio import State, file_states
from builder.output import Origin, Output
from builder.paths import check_outputs, path_problem
from builder.plan import Part, SitePlan
from builder.record import BuildState, PartKeys, load_content, load_record
from builder.site_index import SiteIndex, index_site
from builder.stamp import Stamp
from builder.theme import static_files, template_problem, theme_environment, theme_keys


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
          previous: dict[str, str]) -> tuple[list[Output], dict[str, str], dict[str, PartKeys]]:
    """Plan each part whose key is not as the last build left it, or with an output found
    damaged; take the last build's keys for the others. Returns the outputs planned, every
    output's key, and each part's key with its outputs' keys, for the next build. Every
    output path, planned or taken over, is checked (builder/paths.py) before anything is
    written; `previous` holds the last build's."""
    planned: list[Output] = []
    kept: list[tuple[str, Origin]] = []
    record: dict[str, PartKeys] = {}
    for part in parts:
        last = known.get(part.name)
        if part.key is not None and last is not None and last[0] == part.key \
                and (not damaged or damaged.isdisjoint(last[1])):
            record[part.name] = last
            kept += [(path, part.origin) for path in last[1]]
        else:
            made = part.plan()
            planned += made
            record[part.name] = (part.key, {o.path: o.key for o in made})
    check_outputs([(o.path, o.origin) for o in planned], kept, previous)
    keys = {path: key for _, part_keys in record.values() for path, key in part_keys.items()}
    return planned, keys, record


@dataclass
class Planned:
    """What a build found and planned, for its publish and save phases."""

    cache: BuildState  # the last build's; its slug memo (pinyin slugs kept across builds) this one fills in
    loaded: Loaded
    index: SiteIndex
    site: SitePlan
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


def plan_build(root: Path, config: SiteConfig, out: Path, listing: State, drafts: bool, jobs: int,
                memory: Memory | None, stamp: Stamp | None = None) -> Planned:
    """Load, index and plan: which outputs to render, which to keep, which went. `stamp`:
    the last build's, when already read."""
    cache = memory.state if memory is not None else load_record(root, out, stamp)
    loaded, index = _load(root, config, listing, drafts, jobs, cache)
    left = _left(out, cache, watched=memory is None)
    env = theme_environment(root / "theme")
    statics = static_files(root / "theme")
    assets = {name: hashlib.sha256(path.read_bytes()).hexdigest()[:10] for name, path in statics.items()}
    try:
        theme_key, template_keys = theme_keys(env, cache.theme, cache.template_keys)
        if memory is not None and memory.env is not None and cache.theme == theme_key:
            env = memory.env  # already compiled: a long-running caller reuses it
        site = SitePlan(root, config, env, index, loaded, assets, template_keys)
        outputs, keys, parts = _plan(site.parts(statics), left.parts, left.damaged, left.keys)
    except TemplateError as err:
        raise GongkaiError(template_problem(err)) from None
    todo = [o for o in outputs if left.keys.get(o.path) != o.key or o.path in left.damaged]
    # Paths come from the last build's record: one that is no plain path inside the
    # output folder (a record written before paths were checked) is never deleted.
    removed = sorted(path for path in left.keys.keys() - keys.keys() if path_problem(path) is None)
    return Planned(cache, loaded, index, site, env, theme_key, template_keys, keys, parts, todo, removed,
                   left.keys, left.found)


def plan_for_worker(root: Path, config: SiteConfig, out: Path, listing: State, drafts: bool,
                    slugs: dict[str, str]) -> list[Output]:
    """A cluster worker's plan of the client's build (builder/cluster.py): every output,
    planned from the content cache the client saved and with its slugs."""
    memory = Memory(BuildState(content=load_content(root), slugs=dict(slugs)))
    return plan_build(root, config, out, listing, drafts, 1, memory).todo
