"""Work spread over all cores, in forked processes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

MIN_PARALLEL = 64  # fewer tasks than this run faster in one process than in a pool


def fork_pool(tasks: int, jobs: int) -> ProcessPoolExecutor | None:
    """A pool of forked workers when `tasks` is enough to pay for one, else None. Forked,
    so workers inherit what the parent prepared instead of receiving it pickled."""
    if jobs <= 1 or tasks < MIN_PARALLEL:
        return None
    # Imported here: most rebuilds read and render too little for a pool, and importing
    # multiprocessing is a twentieth of one.
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_all_start_methods, get_context

    if "fork" not in get_all_start_methods():
        return None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork"))
