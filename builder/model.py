"""The shared vocabulary: every stage after the normaliser speaks in Notice."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from builder.schema import FIELDS, RECORDS


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
    转发 or 更正 the notice `target` names by its doc_no, index_no, slug or title."""

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


# Front-matter keys in the order they are written (builder/schema.py): those written always,
# then those written only when they hold something.
FRONT_MATTER_KEYS: tuple[str, ...] = tuple(spec.key for spec in FIELDS if not spec.optional)
OPTIONAL_KEYS: tuple[str, ...] = tuple(spec.key for spec in FIELDS if spec.optional)


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
    validity: str | None = None  # as written: 有效, 已废止, 已修订 …
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
        """The fields as front matter writes them, in order: records as mappings, and the
        optional keys only where they hold something."""
        data: dict[str, Any] = {}
        for spec in FIELDS:
            value = getattr(self, spec.key)
            if spec.optional and not value:
                continue
            data[spec.key] = [item.front_matter() for item in value] if spec.kind in RECORDS else value
        return data
