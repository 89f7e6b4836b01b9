"""Work spread over all cores, in forked processes that end with the process that forked them."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

Item = TypeVar("Item")
Result = TypeVar("Result")
MIN_PARALLEL = 64  # fewer tasks than this run faster in one process than in a pool
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with(parent: int) -> None:
    """A worker's initializer. A worker waits on a queue whose writing end it inherited
    itself, so a parent killed with SIGKILL never closes it: the worker would wait for good,
    holding its memory. Linux sends the worker SIGKILL when the parent
    ends; elsewhere the pool's own checks must do. A parent gone before the request was
    made has left the worker to init already."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def fork_pool(tasks: int, jobs: int) -> ProcessPoolExecutor | None:
    """A pool of forked workers when `tasks` is enough to pay for one, else None. Forked,
    so workers inherit what the parent prepared instead of receiving it pickled."""
    if jobs <= 1 or tasks < MIN_PARALLEL:
        return None
    # Imported here: most rebuilds read and render too little for a pool, and importing
    # multiprocessing is a noticeable part of such a rebuild.
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_all_start_methods, get_context

    if "fork" not in get_all_start_methods():
        return None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork"), initializer=_die_with,
                               initargs=(os.getpid(),))


def parallel_map(work: Callable[[Item], Result], items: Sequence[Item], jobs: int,
                 chunksize: int | None = None) -> Iterator[Result]:
    """`work` of each item, in the items' order: across `jobs` forked workers when there are
    enough items to pay for them, else here. Items go to a worker `chunksize` at a time
    (by default about four batches a worker, at most 64 items each): fewer, larger batches
    cost less in passing, smaller ones keep every worker busy to the end."""
    pool = fork_pool(len(items), jobs)
    if pool is None:
        yield from map(work, items)
        return
    with pool:
        yield from pool.map(work, items, chunksize=chunksize or max(1, min(64, len(items) // (jobs * 4))))
