"""A notice's fields as they are assembled: each value with the raw lines it was read from,
the rule that read it, and every other value considered (what `normalize --explain` shows).

Values read from a labelled place are taken as they are. Where a value is missing it is
inferred only from what the text itself says, the key goes into `inferred`, and a warning
says where it came from; where nothing supports a value it stays null, with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from builder.dates import parse_date
from builder.i18n import N_, Phrase, for_content, said
from builder.model import Notice
from builder.normalize.decode import Line
from builder.normalize.patterns import DOC_NO_BRACKETS
from builder.normalize.title import ORG
from builder.schema import LABEL

# The rules fields are read by, as --explain names them: each marked for the catalog where it
# is written (here, or where it is used alone), said in the user's language by --explain and
# in the site's by a warning written into a content file; --report carries the English.
METADATA_LABEL = N_("the metadata label")
# The document's printed parts are named by their fields' labels, as the site's language names them.
_PRINTED = {"doc_no": LABEL["doc_no"], "addressee": LABEL["addressee"]}
PRINTED_TITLE = Phrase(N_("the printed title (over its {doc_no} or {addressee})"), **_PRINTED)
HEADING = N_("the page's heading")
PAGE_TITLE = N_("the page's title line")
SIGNATURE = N_("the signature")
SIGNED_DATE = N_("the date under the signature")
PRINTED_DOC_NO = Phrase(N_("the {doc_no} printed with the title"), doc_no=_PRINTED["doc_no"])
AGREED_TITLE = Phrase(N_("the printed title (over its {doc_no} or {addressee}), which the label agrees with"),
                      **_PRINTED)
NONE_CHOSEN = N_("none of the candidates")

SIGNERS_APART = re.compile(r"[ \u3000]{2,}")


@dataclass(frozen=True)
class Candidate:
    """A value a field could take, the rule that read it, and the lines it was read from."""

    rule: str
    value: object
    lines: tuple[int, ...]


@dataclass
class Assembled:
    notice: Notice
    sources: dict[str, list[Line]] = field(default_factory=dict)  # key → raw lines it was read from
    anchors: dict[int, str] = field(default_factory=dict)  # section index → attachment anchor
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)  # key → every value considered
    chosen: dict[str, str] = field(default_factory=dict)  # key → the rule its value came by


class Fields:
    """The notice being assembled, and the record of how each field got its value."""

    def __init__(self, source: str) -> None:
        self.result = Assembled(Notice(source=source))
        self.notice = self.result.notice

    def set(self, key: str, value: object, lines: list[Line] | tuple[Line, ...], *, inferred: str = "",
            rule: str = METADATA_LABEL) -> None:
        """Give `key` its value, read by `rule` (or guessed from `inferred`) off `lines`."""
        setattr(self.notice, key, value)
        self.result.sources.setdefault(key, []).extend(lines)
        self.result.chosen[key] = inferred or rule
        self.consider(key, inferred or rule, value, lines)
        if inferred and value not in (None, [], ""):
            self.notice.inferred.append(key)
            shown = "、".join(map(str, value)) if isinstance(value, list) else value
            self.warn(for_content("{label} inferred from {rule}: {value}").format(
                label=LABEL.get(key, key), rule=said(inferred, for_content), value=shown))

    def consider(self, key: str, rule: str, value: object, lines: list[Line] | tuple[Line, ...]) -> None:
        """Note a value `key` could take, for `normalize --explain`."""
        if value not in (None, [], ""):
            self.result.candidates.setdefault(key, []).append(Candidate(rule, value, tuple(li.number for li in lines)))

    def warn(self, message: str) -> None:
        """Note a warning for the content file's `warnings:`, already in the site's language."""
        self.notice.warnings.append(message)


def iso(value: str, keep_time: bool) -> str | None:
    parsed = parse_date(value)
    if parsed is None:
        return None
    return parsed.iso() if keep_time else parsed.day.isoformat()


def normal_doc_no(value: str) -> str:
    """国发[2018]43号 → 国发〔2018〕43号: scrapes lose the 六角括号."""
    return DOC_NO_BRACKETS.sub(r"〔\1〕", value).replace(" ", "")


def signers_of(text: str) -> list[str]:
    """The signers on one line: spaced well apart, or by one space where each is a body's name."""
    apart = SIGNERS_APART.split(text)
    spaced = text.split()
    return spaced if len(apart) == 1 and len(spaced) > 1 and all(ORG.fullmatch(name) for name in spaced) else apart
