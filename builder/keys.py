"""Keys: what an output, a cache entry or a build depends on, in one digest.

A key changes exactly when what it is made of does, so a build compares keys instead of
rendering again to find what changed (builder/plan.py). A page's key is the fingerprint of
the very values its template is given, so no hand-picked list of fields can leave one out.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import Any


def digest(*parts: Any) -> str:
    """A stable key of `parts`: tuples, lists and dicts of text, numbers and None, built in a
    fixed order, so their repr is stable too."""
    return hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()


Rule = Callable[["Fingerprint", Any], Any]


def _itself(_: Fingerprint, value: Any) -> Any:
    return value


def _items(fingerprint: Fingerprint, value: list | tuple) -> list:
    return [fingerprint(item) for item in value]


def _mapping(fingerprint: Fingerprint, value: dict) -> list:
    return [(key, fingerprint(item)) for key, item in sorted(value.items())]


def _fields(fingerprint: Fingerprint, value: Any) -> list:
    return [type(value).__name__, *(fingerprint(getattr(value, field.name)) for field in dataclasses.fields(value))]


# Values that are what they show. A class is looked up along its bases (Markup is text).
PLAIN: dict[type, Rule] = {str: _itself, int: _itself, float: _itself, bool: _itself, type(None): _itself,
                           list: _items, tuple: _items, dict: _mapping}


class Fingerprint:
    """A value reduced to text, numbers and lists of them, by a rule for its type: a
    dataclass by its fields (those of `memo` types digested once, as many pages show the
    same one), other types by `rules`. A value no rule covers is refused, never keyed by
    its repr or identity, which could leave out what a page shows of it."""

    def __init__(self, rules: dict[type, Rule], memo: tuple[type, ...] = ()) -> None:
        self.rules = {**PLAIN, **rules}
        self.memo = memo
        self.known: dict[int, tuple[Any, str]] = {}  # id → (the value, kept alive so its id is not reused; its digest)

    def __call__(self, value: Any) -> Any:
        for kind in type(value).__mro__:
            rule = self.rules.get(kind)
            if rule is not None:
                return rule(self, value)
        if not dataclasses.is_dataclass(value) or isinstance(value, type):
            raise TypeError(f"no fingerprint rule for {type(value).__name__}: add one to the plan's rules")
        if isinstance(value, self.memo):
            known = self.known.get(id(value))
            if known is None:
                known = self.known[id(value)] = (value, digest(_fields(self, value)))
            return known[1]
        return _fields(self, value)
