"""Chinese numerals as notices write them: 二〇二四 (a year, digit by digit), 二十一, 十二,
一 … and Arabic digits, which 附件 labels and headings use as well."""

from __future__ import annotations

DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9}


def cn_number(text: str) -> int | None:
    """二〇二四 → 2024, 十 → 10, 十二 → 12, 二十 → 20, 二十一 → 21, 12 → 12; None for anything
    else (一百, 两, 甲): the shapes notices number dates, headings and attachments with."""
    if text.isdigit() and text.isascii():
        return int(text)
    if not text or any(char not in DIGITS and char != "十" for char in text) or text.count("十") > 1:
        return None
    if "十" not in text:
        return int("".join(str(DIGITS[char]) for char in text))
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    return (DIGITS[tens] if tens else 1) * 10 + (DIGITS[units] if units else 0)
