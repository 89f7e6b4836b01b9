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


@dataclass(frozen=True)
class Relation:
    """What this notice does to another (builder/lifecycle.py): 废止, 修订, 替代, 依据, 解读,
    转发 or 更正 the notice `target` names by 发文字号, 索引号, slug or title."""

    type: str
    target: str
    scope: str | None = None  # 第五条: the part it concerns
    date: str | None = None  # when it took effect, where not when this notice did

    def __str__(self) -> str:
        return f"{self.type} {self.target}" + (f"（{self.scope}）" if self.scope else "")

    def front_matter(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type, "target": self.target}
        data.update({key: getattr(self, key) for key in ("scope", "date") if getattr(self, key)})
        return data


@dataclass(frozen=True)
class Change:
    """An edit made after the notice was published, as its 修订记录 shows it."""

    date: str
    note: str

    def front_matter(self) -> dict[str, Any]:
        return {"date": self.date, "note": self.note}


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
# <meta> tags) and `relations` by normalize, `changes` and `draft` by an editor.
OPTIONAL_KEYS: tuple[str, ...] = ("page_meta", "relations", "changes", "draft")


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
    relations: list[Relation] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    draft: bool = False
    body: str | None = None  # None when loaded for a build: builder.content.Loaded.body reads it on demand
    slug: str = ""  # the content file's name; the notice's page is builder.urls.notice_page(slug)

    @property
    def dated(self) -> str | None:
        """The date a notice is listed, filed and sorted by: when it was published, else written."""
        return self.published or self.written

    def front_matter(self) -> dict[str, Any]:
        data = {key: getattr(self, key) for key in FRONT_MATTER_KEYS}
        data["attachments"] = [attachment.front_matter() for attachment in self.attachments]
        if self.page_meta:
            data["page_meta"] = self.page_meta
        for key in ("relations", "changes"):
            if getattr(self, key):
                data[key] = [item.front_matter() for item in getattr(self, key)]
        return data
