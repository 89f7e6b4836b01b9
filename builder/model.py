"""The shared vocabulary: every stage after the normaliser speaks in Notice."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Attachment:
    number: int | None  # as written in 附件说明; None for a single, unnumbered one
    title: str
    inline: bool  # its text follows in the notice
    file: str | None = None  # a file beside the notice in content/, set by an editor
    url: str | None = None  # where the portal offers the file, from a saved page's link

    def front_matter(self) -> dict[str, Any]:
        data: dict[str, Any] = {"number": self.number, "title": self.title, "inline": self.inline}
        for key in ("file", "url"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


# Front-matter keys in the order they are written; editors and tools rely on it.
FRONT_MATTER_KEYS: tuple[str, ...] = (
    "title",
    "index_no",
    "doc_no",
    "publisher",
    "category",
    "written",
    "published",
    "effective",
    "expires",
    "validity",
    "doc_type",
    "addressee",
    "signers",
    "signed",
    "disclosure",
    "attachments",
    "tags",
    "extra",
    "source",
    "inferred",
    "warnings",
)
# Keys written only when they have a value: `page_meta` (keys filled from a saved page's
# <meta> tags) by normalize, `draft` by an editor.
OPTIONAL_KEYS: tuple[str, ...] = ("page_meta", "draft")


@dataclass
class Notice:
    title: str | None = None
    index_no: str | None = None
    doc_no: str | None = None
    publisher: str | None = None
    category: str | None = None
    written: str | None = None  # YYYY-MM-DD
    published: str | None = None  # YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+08:00
    effective: str | None = None
    expires: str | None = None
    validity: str | None = None  # 有效性 as written: 有效, 已废止, 已修订 …
    doc_type: str | None = None
    addressee: str | None = None
    signers: list[str] = field(default_factory=list)
    signed: str | None = None
    disclosure: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)  # labelled metadata with no key of its own
    source: str | None = None
    inferred: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    page_meta: list[str] = field(default_factory=list)
    draft: bool = False
    body: str | None = None  # None when loaded for a build: builder.content.Loaded.body reads it on demand
    slug: str = ""  # the content file's name; the notice's URL is /notices/<slug>/

    def front_matter(self) -> dict[str, Any]:
        data = {key: getattr(self, key) for key in FRONT_MATTER_KEYS}
        data["attachments"] = [attachment.front_matter() for attachment in self.attachments]
        if self.page_meta:
            data["page_meta"] = self.page_meta
        return data
