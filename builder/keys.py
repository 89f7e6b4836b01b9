"""Keys: what an output, a cache entry or a build depends on, in one digest.

A key changes exactly when what it is made of does, so a build compares keys instead of
rendering again to find what changed (builder/plan.py).
"""

from __future__ import annotations

import hashlib
from typing import Any


def digest(*parts: Any) -> str:
    """A stable key of `parts`: tuples, lists and dicts of text, numbers and None, built in a
    fixed order, so their repr is stable too."""
    return hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()
