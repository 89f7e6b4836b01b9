"""Raw bytes → clean lines of text.

Portals hand us UTF-8 (with or without BOM), UTF-16 with a BOM, or GB18030/GBK.
Decoding is strict, in that order; a statistical detector would sometimes call a short
GBK notice Big5 or Shift-JIS, and a wrong guess garbles a notice silently.
"""

from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass

from builder.i18n import _

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# GB18030 decodes almost any byte string, and short GBK text is often valid UTF-8 too
# (通知 in GBK reads as two combining marks), so a decoding must also look like a
# notice: nearly all of its non-ASCII characters Chinese text or its punctuation.
MIN_PLAUSIBLE_SHARE = 0.9
NOTICE_CHARS = ("\u2000-\u200b\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2010-\u2027"
                "\u2030-\u205e\u00a0-\u00bf\u00d7\u00f7\u25a0-\u25ff\u2460-\u24ff\u2160-\u217f")
# Runs of characters, removed to count the others (faster than listing each one).
ASCII_RUNS = re.compile("[\x00-\x7f]+")
USUAL_RUNS = re.compile(f"[\x00-\x7f{NOTICE_CHARS}]+")

# Entities a scrape of a page's source leaves in its text (&nbsp;, &lt;…&gt;): characters
# written the HTML way, read as the characters they stand for.
ENTITY = re.compile(r"&(?:nbsp|ensp|emsp|thinsp|lt|gt|amp|quot|apos|middot|ldquo|rdquo|lsquo|rsquo|hellip|mdash"
                    r"|#\d{2,6}|#[xX][0-9a-fA-F]{2,5});")
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SPACES = re.compile("[\t\u00a0\u2002-\u200a\u202f\u205f]")


class DecodeError(ValueError):
    """A raw file that cannot be read as text (empty, binary, or in no encoding portals
    use): its reason is reported, and nothing is written for it."""


@dataclass(frozen=True)
class Line:
    """A line of raw text, cleaned, with where it came from, so the report names the raw
    lines behind every field and every piece of furniture stripped."""

    number: int  # 1-based line number in the raw file
    text: str  # cleaned, without surrounding white space
    pieces: tuple[Line, ...] = ()  # the raw lines it was put together from (normalize.rejoin)
    column: int = 0  # where in its raw line it starts, when cut from a longer one (normalize.split)


def _plausible(text: str) -> bool:
    wide = len(ASCII_RUNS.sub("", text))
    return not wide or 1 - len(USUAL_RUNS.sub("", text)) / wide >= MIN_PLAUSIBLE_SHARE


def decode(data: bytes) -> str:
    """Text of a raw notice file; DecodeError says why it cannot be read."""
    if not data.strip():
        raise DecodeError(_("empty file"))
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as err:
                raise DecodeError(_("invalid {encoding} after its byte-order mark: {reason}").format(
                    encoding=encoding, reason=err.reason)) from None
    if b"\x00" in data:
        raise DecodeError(_("binary file (NUL bytes; UTF-16 text needs a byte-order mark)"))
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return text
    raise DecodeError(_("unreadable encoding: reads as neither UTF-8, UTF-16 with BOM nor GB18030 Chinese text"))


def clean_lines(text: str) -> list[Line]:
    """Non-blank lines, numbered as in the raw file, with invisible characters dropped."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        cleaned = SPACES.sub(" ", INVISIBLE.sub("", ENTITY.sub(lambda m: html.unescape(m.group()), raw)))
        cleaned = cleaned.strip(" \u3000")
        if cleaned:
            lines.append(Line(number, cleaned))
    return lines
