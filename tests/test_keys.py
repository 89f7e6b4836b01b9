"""A page's key is the fingerprint of what its template is given (builder/keys.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from markupsafe import Markup

from builder.keys import Fingerprint


@dataclass(frozen=True)
class Shown:
    name: str
    items: tuple[int, ...]
    more: dict[str, str]


@dataclass(frozen=True)
class Counted:
    text: str


def test_every_field_of_a_dataclass_is_in_its_fingerprint() -> None:
    fingerprint = Fingerprint({})
    value = Shown("a", (1, 2), {"k": "v"})
    changed = [replace(value, name="b"), replace(value, items=(1, 3)), replace(value, more={"k": "w"})]
    assert len({repr(fingerprint(v)) for v in [value, *changed]}) == 4


def test_a_value_no_rule_covers_is_refused() -> None:
    fingerprint = Fingerprint({})
    for value in (lambda: "a page", object(), {"view": print}, Shown):
        with pytest.raises(TypeError, match="no fingerprint rule"):
            fingerprint(value)


def test_rules_by_type_and_its_bases() -> None:
    fingerprint = Fingerprint({Counted: lambda _, value: len(value.text)})
    assert fingerprint([Counted("abc"), Markup("<p>")]) == [3, Markup("<p>")]


def test_a_memo_type_is_digested_once_and_by_its_fields() -> None:
    fingerprint = Fingerprint({}, memo=(Shown,))
    value = Shown("a", (1,), {})
    first = fingerprint(value)
    assert isinstance(first, str) and len(first) == 40
    assert fingerprint(value) == first
    assert fingerprint(replace(value, items=(2,))) != first
