"""The one reader of Chinese numerals (dates, headings, 附件 labels), on what each of its
callers reads: years digit by digit, numbers up to 九十九 with 十, Arabic digits."""

from __future__ import annotations

import pytest

from builder.dates import parse_date
from builder.normalize.blocks import cn_value
from builder.numerals import cn_number


@pytest.mark.parametrize(("text", "value"), [
    ("二〇二四", 2024), ("二○二四", 2024), ("二零二四", 2024), ("一", 1), ("九", 9), ("十", 10), ("十二", 12),
    ("二十", 20), ("二十一", 21), ("九十九", 99), ("12", 12), ("3", 3), ("零", 0),
])
def test_numerals_read(text: str, value: int) -> None:
    assert cn_number(text) == value


@pytest.mark.parametrize("text", ["", "一百", "两", "甲", "十十", "二十三四", "１２", "一二十"])
def test_other_words_are_no_numerals(text: str) -> None:
    assert cn_number(text) is None


def test_dates_and_headings_read_through_it() -> None:
    assert parse_date("二〇二四年二月二十一日").day.isoformat() == "2024-02-21"  # type: ignore[union-attr]
    assert parse_date("二〇二四年二月三十日") is None  # no such day
    assert parse_date("二〇二四年十三月一日") is None
    assert (cn_value("十一"), cn_value("3"), cn_value("一百")) == (11, 3, 0)  # 0: no number in sequence
