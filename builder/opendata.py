"""notices.json: the site's notices as open data, in the shape of notices.schema.json.

Only what a notice's page shows a reader (its 文件信息, its address, its attachments and
where each is read); never where its content file lives, what the normaliser guessed or
warned of in English, or any other working note.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from builder.body_format import anchor
from builder.config import SiteConfig
from builder.lifecycle import Status
from builder.model import Notice
from builder.schema import BY_KEY, OPEN_DATA
from builder.urls import notice_page
from builder.views import metadata_rows

SCHEMA_NAME = "notices.schema.json"


def schema_text() -> str:
    """The JSON Schema of notices.json, published beside it."""
    return resources.files("builder").joinpath("data", SCHEMA_NAME).read_text(encoding="utf-8")


def attachment_url(page: str, position: int, attachment: Any) -> str | None:
    """Where an attachment is read: its file beside the page, the portal's address, or its
    text on the page; None when it is not online."""
    if attachment.file:
        return page + attachment.file.rsplit("/", 1)[-1]
    if attachment.url:
        return attachment.url
    return f"{page}#{anchor(position)}" if attachment.inline else None


def record(notice: Notice, config: SiteConfig, status: Status | None) -> dict[str, Any]:
    """One notice as open data: its page's address and its fields the schema publishes
    (builder/schema.py's OPEN_DATA), in its order; each as the page shows it where that
    differs from the front matter."""
    page = config.absolute(notice_page(notice.slug))
    # The validity as the page's table shows it, found by its label as a reader finds it.
    validity = next((row.value for row in metadata_rows(notice, config, status)
                     if row.label == BY_KEY["validity"].label), None)
    shown: dict[str, Any] = {
        "validity": validity or None,
        "tags": list(notice.tags),
        "extra": {label: value for label, value in notice.extra.items() if value},
        "attachments": [{"number": a.number, "title": a.title, "url": attachment_url(page, position, a)}
                        for position, a in enumerate(notice.attachments, start=1)],
    }
    return {"url": page, **{key: shown[key] if key in shown else getattr(notice, key) for key in OPEN_DATA}}


def open_data(notices: list[Notice], config: SiteConfig, statuses: dict[str, Status]) -> str:
    """Every notice, one per line: readable, and written by json's C encoder (an `indent`
    would make it fall back to the pure-Python one, ten times slower)."""
    records = (json.dumps(record(n, config, statuses.get(n.slug)), ensure_ascii=False) for n in notices)
    return "[\n" + ",\n".join(records) + "\n]\n"
