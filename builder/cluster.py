"""Past one machine: notice pages rendered and search shards indexed on a Dask cluster.

`gongkai build --cluster tcp://scheduler:8786` plans the build on this machine (the client)
as any build does, then hands the notice pages and the search shards to Dask distributed's
workers; the lists, feeds and sitemap, made from metadata alone, are rendered here. Every
worker reads the site (content/, theme/, the build record) and writes the standby tree
(builder/publish.py) on storage all of them see at the same paths; the client switches the
output folder's link only when every task has succeeded, so a failed build leaves the old
site live, as a local one does.

A worker plans the site itself from that storage, once a build (cached by the build's
token), with the code a local build plans with, and renders an output only if the key it
planned is the key the client sent: a site that changed under the build (or a worker
running other code) is an error, never a page unlike a local build's. Tasks are
idempotent (a page written again is the same bytes; a shard's index is renamed in whole),
so Dask may run one again on another worker when its worker dies.

Dask is an optional extra (`pip install 'gongkai[cluster]'`): only a build given a cluster
imports it.
"""

from __future__ import annotations

import hashlib
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.config import SiteConfig
from builder.errors import GongkaiError, Problem, system_reason
from builder.i18n import _
from builder.keys import digest
from builder.output import Output, write_output
from builder.search import Shard, executable, indexed, write_shard

if TYPE_CHECKING:
    from distributed import Client

CONNECT_TIMEOUT = 10  # seconds to reach the scheduler before the build gives up, writing nothing
TASK_SIZE = 64  # outputs a task: enough to outweigh Dask's per-task cost, few enough to balance


@dataclass(frozen=True)
class Job:
    """What a worker needs to plan the build the client planned: the same inputs."""

    token: str  # this build's: a worker plans once for it
    root: Path
    config: SiteConfig
    out: Path  # the output folder's link, whose build record the worker reads
    drafts: bool
    slugs: dict[str, str]  # the client's pinyin slugs, remembered ones included


def connect(address: str) -> Client:
    """A client of the scheduler at `address`; a one-line error when Dask is not installed
    or the scheduler cannot be reached, before anything is written."""
    try:
        from distributed import Client
    except ImportError:
        raise GongkaiError(Problem("--cluster", _("a cluster build needs Dask: pip install 'gongkai[cluster]'"))) \
            from None
    try:
        reason = _refused(address)
        if reason is None:
            return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
    raise GongkaiError(Problem("--cluster", _("cannot reach the Dask scheduler at {address}: {reason}")
                               .format(address=address, reason=reason)))


def _refused(address: str) -> str | None:
    """Why a tcp:// scheduler's address refuses connections, found at once: Dask's client
    tries again until its timeout, as for a scheduler on its way up, but nothing listening
    at an address is far more often a wrong address. None when it takes the connection, or
    fails otherwise (Dask then tries, and says why)."""
    from distributed.comm.addressing import parse_address, parse_host_port

    scheme, location = parse_address(address)
    if scheme != "tcp":
        return None
    try:
        socket.create_connection(parse_host_port(location), timeout=CONNECT_TIMEOUT).close()
    except ConnectionRefusedError as err:
        return system_reason(err)
    except OSError:
        return None
    return None


# A worker's plan of the build it last worked on: (token, outputs by path). One build at a
# time: a new token replaces it, so a long-lived worker holds one site's plan at most.
_PLANNED: tuple[str, dict[str, Output]] | None = None
_PLANNING = threading.Lock()  # a worker's threads plan once between them


def _outputs(job: Job) -> dict[str, Output]:
    global _PLANNED
    with _PLANNING:
        if _PLANNED is None or _PLANNED[0] != job.token:
            from builder.fsio import tree_state
            from builder.incremental import plan_for_worker

            _PLANNED = None  # the last build's plan goes before this one is made
            todo = plan_for_worker(job.root, job.config, job.out, tree_state(job.root / "content"), job.drafts,
                                   job.slugs)
            _PLANNED = (job.token, {output.path: output for output in todo})
        return _PLANNED[1]


def render_task(job: Job, tree: Path, wanted: list[tuple[str, str]]) -> dict[str, str]:
    """On a worker: render each (path, key) into `tree`, as planned there with that key.
    Returns the digest of each page the search index holds, which the client would
    otherwise read back from shared storage (the site's bytes, once more, in one process)."""
    outputs = _outputs(job)
    hashes = {}
    for path, key in wanted:
        output = outputs.get(path)
        if output is None or output.key != key:
            raise GongkaiError(Problem(path, "planned differently on a worker: the site changed during the build, "
                                             "or the worker runs other code"))
        write_output(tree / path, output)
        if indexed(path):
            hashes[path] = hashlib.sha1((tree / path).read_bytes()).hexdigest()
    return hashes


def index_task(tree: Path, shard: Shard) -> None:
    """On a worker: index one search shard of `tree` with the worker's own Pagefind."""
    write_shard(tree, shard, [executable()])


@dataclass
class ClusterBuild:
    """A build's use of one cluster: the notice pages, then the search shards."""

    client: Client
    job: Job

    def submit(self, outputs: list[Output], tree: Path) -> list[Any]:
        """Start rendering `outputs` into `tree`; the client renders its own part meanwhile."""
        wanted = sorted((output.path, output.key) for output in outputs)
        job = self.client.scatter(self.job, broadcast=True)  # once to each worker, not with every task
        # pure=False: no two tasks are taken for one by their arguments (a rerun of a task
        # whose worker died is Dask's own doing, and still happens)
        return [self.client.submit(render_task, job, tree, wanted[start:start + TASK_SIZE], pure=False)
                for start in range(0, len(wanted), TASK_SIZE)]

    def index(self, tree: Path, shards: list[Shard]) -> None:
        """builder/search.py's Indexer: each shard a task."""
        self.wait([self.client.submit(index_task, tree, shard, pure=False) for shard in shards])

    def wait(self, futures: list[Any]) -> list[Any]:
        """Every task's result; the first task that failed (after Dask ran again those whose
        worker died) fails the build, before the switch."""
        try:
            return list(self.client.gather(futures))
        except GongkaiError:
            raise
        except Exception as err:  # a worker's exception, or the cluster gone: either way no switch
            raise GongkaiError(Problem("--cluster", f"a task failed on the cluster: {type(err).__name__}: {err}")) \
                from None


def build_token(keys: dict[str, str], root: Path, out: Path) -> str:
    """A build's token: what it plans (every output's key), for whom."""
    return digest(str(root), str(out), sorted(keys.items()))
