"""`gongkai build`: content/ + theme/ + site.yaml → public/.

The build plans every output with a key of what it depends on (builder/plan.py), finds
against the last build's state what changed (builder/incremental.py), then renders only
those whose key changed (all of them, across processes, the first time) into
the next tree of the output folder, which goes live in one step (builder/publish.py). No
clock and no unordered iteration reaches the output: the same input gives the same bytes,
whether built at once or bit by bit.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import TemplateError

from builder.config import SiteConfig
from builder.errors import GongkaiError
from builder.fsio import State, tree_state, write_atomic
from builder.incremental import Memory, Planned, collector_paused, plan_build
from builder.keys import digest
from builder.output import move_in, render, swap_in
from builder.paths import check_out_folder
from builder.publish import (
    MARKER,
    MARKER_TEXT,
    TreeLog,
    building,
    clear_leftovers,
    prepare_tree,
    standby_tree,
    switch,
    tree_log,
)
from builder.record import (
    FORMAT,
    BuildState,
    SearchState,
    read_stamp,
    save_content,
    save_record,
    save_stamp,
)
from builder.search import SEARCH_DIR, Indexer, Shard, changing_shards, engine_version, update_index
from builder.stamp import Stamp, inputs_digest, settled_state, unchanged
from builder.theme import DEFAULT_THEME, template_problem
from builder.urls import NOTICES

if TYPE_CHECKING:
    from builder.cluster import ClusterBuild


@dataclass(frozen=True)
class BuildResult:
    """What a build did, for its one-line report: outputs written, skipped as unchanged and
    removed, and what an editor should look at."""

    written: int
    skipped: int
    removed: int
    warnings: tuple[str, ...] = ()  # what an editor should look at, though the site was built


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


def _render_shared(planned: Planned, tree: Path, cluster: ClusterBuild) -> tuple[dict[str, Path], dict[str, str]]:
    """The notice parts' outputs rendered on the cluster, the rest (lists, feeds, sitemap:
    made of the whole site's metadata) here meanwhile, in this process: forking one that
    runs the Dask client's threads may deadlock the children. Returns where each output
    went, and the digests of the indexed pages the workers rendered."""
    remote = {path for name, (_, outputs) in planned.parts.items() if name.startswith(NOTICES) for path in outputs}
    futures = cluster.submit([o for o in planned.todo if o.path in remote], tree)
    staged = render([o for o in planned.todo if o.path not in remote], tree, 1)
    hashed = {path: sha for hashes in cluster.wait(futures) for path, sha in hashes.items()}
    return {**staged, **{o.path: tree / o.path for o in planned.todo if o.path in remote}}, hashed


@dataclass(frozen=True)
class Published:
    """What a build's publish phase hands its save: the search index's state, the output
    folder's files as the build left them, and how its two trees differ."""

    search: SearchState
    out_state: State
    trees: TreeLog | None = None


def _search_keys(planned: Planned, staged: dict[str, Path], out: Path,
                 hashed: dict[str, str] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Each indexed page's digest, and each search shard's key, from the pages rendered
    (`staged`) and those in `out`."""
    known = planned.cache.search.page_hashes if planned.previous else {}
    page_hashes = _page_hashes(planned.frame.shards, staged, out, known, hashed or {})
    return page_hashes, {shard.name: digest(engine_version(), [(page, page_hashes[page]) for page in shard.pages])
                         for shard in planned.frame.shards}


def _still_indexed(planned: Planned) -> dict[str, str]:
    """Each search shard's key as last indexed, but for shards whose files are not as the
    last build left them (a build stopped after putting its tree live, before saving its
    state; a hand edit): those are indexed again, as their key alone would not show it."""
    if not planned.previous:
        return {}
    done, states = dict(planned.cache.search.indexed), planned.cache.states
    if planned.found != states:
        prefix = f"{SEARCH_DIR}/"
        for path, state in states.items():
            if path.startswith(prefix) and planned.found.get(path) != state:
                done.pop(path[len(prefix):].partition("/")[0], None)
    return done


def _publish_tree(link: Path, planned: Planned, jobs: int, cluster: ClusterBuild | None) -> Published:
    """Make the standby tree the new site (the live one's unchanged files linked, the
    rest rendered, the search index brought up to date; on a `cluster`, the notice pages
    and the index), then switch the output folder's link to it (builder/publish.py).
    Until the switch the live site is untouched."""
    tree = standby_tree(link)
    fresh = {o.path for o in planned.todo}
    live = link if planned.previous else None  # through the link, or an older build's real folder
    log = planned.cache.trees if planned.previous else None
    prepare_tree(live, tree, [path for path in planned.keys if path not in fresh], SEARCH_DIR, log,
                 [*fresh, *planned.removed])
    indexer: Indexer | None = None
    hashed: dict[str, str] = {}
    if cluster is None:
        staged = render(planned.todo, tree, jobs)
    else:
        (staged, hashed), indexer = _render_shared(planned, tree, cluster), cluster.index
    write_atomic(tree / MARKER, MARKER_TEXT)
    page_hashes, search_keys = _search_keys(planned, staged, tree, hashed)
    done = _still_indexed(planned)
    shards = [f"{SEARCH_DIR}/{name}" for name in sorted(changing_shards(tree, planned.frame.shards, search_keys, done))]
    indexed_as = update_index(tree, planned.frame.shards, search_keys, done, jobs, indexer=indexer)
    if planned.previous:
        out_state = settled_state(tree, planned.found, [*fresh, MARKER], planned.removed, shards)
    else:
        out_state = tree_state(tree)
    trees = tree_log(link, tree, [*fresh, *planned.removed, MARKER], shards)
    switch(link, tree)  # a build stopped before this left the standby half made: the next one mends it
    return Published(SearchState(planned.frame.shards, search_keys, indexed_as, page_hashes), out_state, trees)


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
                indexed_as = update_index(staging, planned.frame.shards, search_keys, {}, jobs)
            swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if not defer_search:
        indexed_as = update_index(out, planned.frame.shards, search_keys, indexed_as, jobs)
    return Published(SearchState(planned.frame.shards, search_keys, indexed_as, page_hashes), {})


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
    return ClusterBuild(client, Job(token, root, config, out, drafts, planned.cache.slugs))


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
          inputs: str | None, listing: State) -> None:
    """Leave this build's state for the next: in `memory`, or in .gongkai-cache/ with its
    stamp (`inputs`: what a command's build read)."""
    cache = planned.cache
    state = BuildState(planned.loaded.cache, cache.slugs, planned.theme_key, planned.template_keys, planned.parts,
                       published.out_state, published.search, published.trees, planned.frame, listing)
    if memory is not None:
        memory.state, memory.env = state, planned.env
        return
    save_content(root, state.content, cache.content)
    if planned.todo or planned.removed or state.parts != cache.parts or state.search != cache.search \
            or state.trees != cache.trees or state.frame != cache.frame or state.listing != cache.listing:
        save_record(root, out, state, cache)
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
    with collector_paused():
        planned = plan_build(root, config, out, listing, drafts, jobs, memory, stamp)
    published = _publish(root, config, out, drafts, jobs, planned, memory, defer_search, client)
    _save(root, out, planned, published, memory, inputs, listing)
    written = len(planned.todo)
    return BuildResult(written, len(planned.keys) - written, len(planned.removed),
                       planned.frame.warnings)
