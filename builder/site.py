"""`gongkai build`: content/ + theme/ + site.yaml → public/.

The build plans every output with a key of what it depends on (builder/plan.py), then
renders only those whose key changed (all of them, across processes, the first time) into
the next tree of the output folder, which goes live in one step (builder/publish.py). No
clock and no unordered iteration reaches the output: the same input gives the same bytes,
whether built at once or bit by bit.
"""

from __future__ import annotations

import gc
import hashlib
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, TemplateError

from builder.config import SiteConfig
from builder.content import Loaded, load_notices
from builder.errors import GongkaiError
from builder.fsio import State, file_states, tree_state, write_atomic
from builder.keys import digest
from builder.output import Origin, Output, move_in, render, swap_in
from builder.paths import MARKER, MARKER_TEXT, check_out_folder, check_outputs, path_problem
from builder.plan import Part, SitePlan
from builder.publish import building, clear_leftovers, prepare_tree, standby_tree, switch
from builder.record import (
    FORMAT,
    BuildState,
    PartKeys,
    SearchState,
    load_record,
    read_stamp,
    save_content,
    save_record,
    save_stamp,
)
from builder.search import SEARCH_DIR, Indexer, Shard, engine_version, update_index
from builder.site_index import SiteIndex, index_site
from builder.stamp import Stamp, inputs_digest, settled_state, unchanged
from builder.theme import DEFAULT_THEME, static_files, template_problem, theme_environment, theme_keys

if TYPE_CHECKING:
    from builder.cluster import ClusterBuild


@dataclass
class Memory:
    """What a long-running caller (a preview) keeps between its builds instead of reading
    .gongkai-cache/: the last build's state, and its compiled templates."""

    state: BuildState = field(default_factory=BuildState)
    env: Environment | None = None


@dataclass(frozen=True)
class BuildResult:
    """What a build did, for its one-line report: outputs written, skipped as unchanged and
    removed, and what an editor should look at."""

    written: int
    skipped: int
    removed: int
    warnings: tuple[str, ...] = ()  # what an editor should look at, though the site was built


@contextmanager
def _collector_paused() -> Iterator[None]:
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


def refresh_search_index(out: Path, memory: Memory, lock: threading.Lock, jobs: int | None = None) -> None:
    """The search step of builds made with `defer_search`, run beside them: a preview shows
    new pages at once and brings the index up to date after, while the next build goes on.
    `lock` guards `memory`, which those builds update; indexing runs without it."""
    with lock:
        search = memory.state.search
    indexed = update_index(out.resolve(), search.shards, search.wanted, search.indexed, jobs or os.cpu_count() or 1,
                           background=True)
    with lock:  # into the newest build's state, which a rebuild meanwhile may have made
        memory.state.search.indexed = indexed


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


def _page_hashes(shards: list[Shard], staged: dict[str, Path], out: Path, known: dict[str, str],
                 hashed: dict[str, str]) -> dict[str, str]:
    """A digest of each indexed page's bytes: a shard is reindexed when its pages' bytes
    change, not whenever their keys do (a template edit that leaves them alone costs no
    reindexing). `hashed`: pages whose digest their renderer (a cluster's worker) gave."""
    hashes = {}
    for page in (page for shard in shards for page in shard.pages):
        if page in hashed:
            hashes[page] = hashed[page]
        elif page in staged or page not in known:
            hashes[page] = hashlib.sha1((staged.get(page) or out / page).read_bytes()).hexdigest()
        else:
            hashes[page] = known[page]
    return hashes


@dataclass
class Planned:
    """What a build found and planned, for its publish and save phases."""

    cache: BuildState  # the last build's
    slugs: dict[str, str]  # pinyin slugs remembered across builds
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
    return Left(parts, keys, found, {path for path in keys if found.get(path, ()) != cache.states.get(path)})


def _load(root: Path, config: SiteConfig, listing: State, drafts: bool, jobs: int,
          cache: BuildState) -> tuple[Loaded, SiteIndex]:
    """The notices (those unchanged since the last build from its cache) and the site's groups."""
    loaded = load_notices(root / "content", listing, cache.content, jobs)
    return loaded, index_site([n for n in loaded.notices if drafts or not n.draft], config, cache.slugs)


def _plan_build(root: Path, config: SiteConfig, out: Path, listing: State, drafts: bool, jobs: int,
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
    return Planned(cache, cache.slugs, loaded, index, site, env, theme_key, template_keys, keys, parts, todo, removed,
                   left.keys, left.found)


def plan_for_worker(root: Path, config: SiteConfig, out: Path, listing: State, drafts: bool,
                    slugs: dict[str, str]) -> list[Output]:
    """A cluster worker's plan of the client's build (builder/cluster.py): every output,
    planned from the content cache the client saved and with its slugs."""
    memory = Memory(BuildState(content=load_record(root, out).content, slugs=dict(slugs)))
    return _plan_build(root, config, out, listing, drafts, 1, memory).todo


def _render_shared(planned: Planned, tree: Path, cluster: ClusterBuild) -> tuple[dict[str, Path], dict[str, str]]:
    """The notice parts' outputs rendered on the cluster, the rest (lists, feeds, sitemap:
    made of the whole site's metadata) here meanwhile, in this process: forking one that
    runs the Dask client's threads may deadlock the children. Returns where each output
    went, and the digests of the indexed pages the workers rendered."""
    remote = {path for name, (_, outputs) in planned.parts.items() if name.startswith("notices/") for path in outputs}
    futures = cluster.submit([o for o in planned.todo if o.path in remote], tree)
    staged = render([o for o in planned.todo if o.path not in remote], tree, 1)
    hashed = {path: sha for hashes in cluster.wait(futures) for path, sha in hashes.items()}
    return {**staged, **{o.path: tree / o.path for o in planned.todo if o.path in remote}}, hashed


@dataclass(frozen=True)
class Published:
    """What a build's publish phase hands its save: the search shards' keys as indexed and
    as wanted, the indexed pages' digests, and the output folder's files as left."""

    indexed_as: dict[str, str]  # each search shard's key, as indexed
    page_hashes: dict[str, str]
    search_keys: dict[str, str]  # each search shard's key, as wanted
    out_state: State  # the output folder's files as the build left them


def _search_keys(planned: Planned, staged: dict[str, Path], out: Path,
                 hashed: dict[str, str] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Each indexed page's digest, and each search shard's key, from the pages rendered
    (`staged`) and those in `out`."""
    known = planned.cache.search.page_hashes if planned.previous else {}
    page_hashes = _page_hashes(planned.site.shards, staged, out, known, hashed or {})
    return page_hashes, {shard.name: digest(engine_version(), [(page, page_hashes[page]) for page in shard.pages])
                         for shard in planned.site.shards}


def _publish_tree(link: Path, planned: Planned, jobs: int, cluster: ClusterBuild | None) -> Published:
    """Make the standby tree the new site (the live one's unchanged files linked, the
    rest rendered, the search index brought up to date; on a `cluster`, the notice pages
    and the index), then switch the output folder's link to it (builder/publish.py).
    Until the switch the live site is untouched."""
    tree = standby_tree(link)
    fresh = {o.path for o in planned.todo}
    live = link if planned.previous else None  # through the link, or an older build's real folder
    prepare_tree(live, tree, [path for path in planned.keys if path not in fresh], SEARCH_DIR)
    indexer: Indexer | None = None
    hashed: dict[str, str] = {}
    if cluster is None:
        staged = render(planned.todo, tree, jobs)
    else:
        (staged, hashed), indexer = _render_shared(planned, tree, cluster), cluster.index
    write_atomic(tree / MARKER, MARKER_TEXT)
    page_hashes, search_keys = _search_keys(planned, staged, tree, hashed)
    indexed_as = update_index(tree, planned.site.shards, search_keys,
                              planned.cache.search.indexed if planned.previous else {}, jobs, indexer=indexer)
    if planned.previous:
        out_state = settled_state(tree, planned.found, [*fresh, MARKER], planned.removed, SEARCH_DIR)
    else:
        out_state = tree_state(tree)
    switch(link, tree)  # a build stopped before this left the standby half made: the next one mends it
    return Published(indexed_as, page_hashes, search_keys, out_state)


def _publish_in_place(out: Path, planned: Planned, jobs: int, defer_search: bool) -> Published:
    """A long-running caller's output folder (a preview, which only its own server reads
    and which its search indexer updates beside the next rebuild) is written in place:
    changed outputs staged, then moved in; a new site staged whole and swapped in."""
    previous = bool(planned.previous)
    staging = out.with_name(f".{out.name}.new-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    indexed_as = planned.cache.search.indexed if previous else {}
    try:
        staged = render(planned.todo, staging, jobs, flat=previous)
        page_hashes, search_keys = _search_keys(planned, staged, out)
        home = out if previous else staging  # a new site is swapped in with its marker
        if not (home / MARKER).is_file():
            write_atomic(home / MARKER, MARKER_TEXT)
        if previous:
            move_in(staged, out, planned.removed)
        else:
            if not defer_search:  # a new site is swapped in with its index
                indexed_as = update_index(staging, planned.site.shards, search_keys, {}, jobs)
            swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if not defer_search:
        indexed_as = update_index(out, planned.site.shards, search_keys, indexed_as, jobs)
    return Published(indexed_as, page_hashes, search_keys, {})


def build_site(root: Path, config: SiteConfig, out: Path, drafts: bool = False,
               jobs: int | None = None, memory: Memory | None = None,
               defer_search: bool = False, force: bool = False, cluster: str | None = None) -> BuildResult:
    """Build into `out`, rendering only what changed since the last build into it. The
    record of that build is kept in .gongkai-cache/, or in `memory` by a long-running caller
    (a preview: see `_publish_in_place`). `out` must be a folder a build may replace
    (builder/paths.py); `force` lets it replace a folder gongkai did not make. `cluster`:
    a Dask scheduler's address, where the notice pages are rendered (builder/cluster.py);
    content/ and `out` must be on storage its workers see at the same paths."""
    out = check_out_folder(root, out, force)
    client = None
    if cluster is not None:
        from builder.cluster import connect

        client = connect(cluster)  # before anything is written: a scheduler not there changes nothing
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with building(out):
            if memory is None or memory.env is None:  # a preview's own search work runs beside its later rebuilds
                clear_leftovers(out)
            return _build(root, config, out, drafts, jobs or os.cpu_count() or 1, memory, defer_search, client)
    finally:
        if client is not None:
            client.close()


def _on_cluster(client: Any, root: Path, config: SiteConfig, out: Path, drafts: bool,
                planned: Planned) -> ClusterBuild:
    """What a cluster's workers need to plan this build: the content cache saved first (they
    read it rather than every content file), the slugs and a token of the plan."""
    from builder.cluster import ClusterBuild, Job, build_token

    save_content(root, planned.loaded.cache, planned.cache.content)
    planned.cache.content = planned.loaded.cache  # saved: the end of the build finds nothing to save
    token = build_token(planned.keys, root, out)
    return ClusterBuild(client, Job(token, root, config, out, drafts, planned.slugs))


def _inputs(root: Path, config: SiteConfig, out: Path, drafts: bool, listing: State) -> str:
    """A command's build's inputs in one digest: when they and the outputs are as the last
    build left them (its stamp), there is nothing to do."""
    settings = (FORMAT, repr(config), drafts, str(out), engine_version() if config.search else None)
    themes = [root / "theme", DEFAULT_THEME]
    return inputs_digest([(root / "content", listing), *((theme, tree_state(theme)) for theme in themes)], settings)


def _publish(root: Path, config: SiteConfig, out: Path, drafts: bool, jobs: int, planned: Planned,
             memory: Memory | None, defer_search: bool, client: Any) -> Published:
    """Render what changed, put it live and bring the search index up to date: a command's
    build into the standby tree, switched in whole; a preview's in place."""
    try:
        if memory is not None:
            return _publish_in_place(out, planned, jobs, defer_search)
        shared = _on_cluster(client, root, config, out, drafts, planned) if client is not None else None
        return _publish_tree(out, planned, jobs, shared)
    except TemplateError as err:
        raise GongkaiError(template_problem(err)) from None


def _save(root: Path, out: Path, planned: Planned, published: Published, memory: Memory | None,
          inputs: str | None) -> None:
    """Leave this build's state for the next: in `memory`, or in .gongkai-cache/ with its
    stamp (`inputs`: what a command's build read)."""
    cache = planned.cache
    state = BuildState(planned.loaded.cache, planned.slugs, planned.theme_key, planned.template_keys, planned.parts,
                       published.out_state, SearchState(planned.site.shards, published.search_keys,
                                                        published.indexed_as, published.page_hashes))
    if memory is not None:
        memory.state, memory.env = state, planned.env
        return
    save_content(root, state.content, cache.content)
    if planned.todo or planned.removed or state.parts != cache.parts or state.search != cache.search:
        save_record(root, out, state)
    if inputs is not None:
        save_stamp(root, out, Stamp(inputs, len(planned.keys), published.out_state))


def _build(root: Path, config: SiteConfig, out: Path, drafts: bool, jobs: int, memory: Memory | None,
           defer_search: bool, client: Any = None) -> BuildResult:
    """The build, as a story: stamp → load, index, plan and diff → render, publish, search → save."""
    listing = tree_state(root / "content")
    # A long-running caller knows what changed; a command checks the last build's stamp.
    inputs = _inputs(root, config, out, drafts, listing) if memory is None else None
    stamp = read_stamp(root, out) if memory is None else None
    if inputs is not None and (count := unchanged(stamp, inputs, out)) is not None:
        return BuildResult(0, count, 0)
    with _collector_paused():
        planned = _plan_build(root, config, out, listing, drafts, jobs, memory, stamp)
    published = _publish(root, config, out, drafts, jobs, planned, memory, defer_search, client)
    _save(root, out, planned, published, memory, inputs)
    written = len(planned.todo)
    return BuildResult(written, len(planned.keys) - written, len(planned.removed),
                       (*planned.index.warnings, *planned.site.lifecycle.warnings))
