"""Errors as values with a location, printed by the CLI as one line each."""

from __future__ import annotations

import re
from dataclasses import dataclass

from builder.i18n import NC_, _, pgettext

# The names of the keys editors type (front matter and site.yaml), shown beside the key in
# Chinese: 标题（title）. The key itself is always shown, since it is what is typed.
FIELD_NAMES = (NC_("field", "title"), NC_("field", "index_no"), NC_("field", "doc_no"), NC_("field", "publisher"),
               NC_("field", "category"), NC_("field", "written"), NC_("field", "published"),
               NC_("field", "effective"), NC_("field", "expires"), NC_("field", "validity"),
               NC_("field", "doc_type"), NC_("field", "addressee"), NC_("field", "signers"), NC_("field", "signed"),
               NC_("field", "disclosure"), NC_("field", "attachments"), NC_("field", "tags"),
               NC_("field", "extra"), NC_("field", "source"), NC_("field", "inferred"), NC_("field", "warnings"),
               NC_("field", "page_meta"), NC_("field", "relations"), NC_("field", "changes"),
               NC_("field", "draft"), NC_("field", "slug"), NC_("field", "base_url"), NC_("field", "deploy"),
               NC_("field", "template"), NC_("field", "link"), NC_("field", "language"))
_KEY = re.compile(r"[A-Za-z_]+")


def field_name(field: str) -> str:
    """A field as the message names it: its key, after its name where the language has one."""
    key = _KEY.match(field)
    label = pgettext("field", key.group()) if key else field
    if not key or label == key.group():
        return field
    return _("{label} ({field})").format(label=label, field=field)


@dataclass(frozen=True)
class Problem:
    """Something wrong with one input, located as precisely as we know."""

    file: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if not self.field:
            return _("{where}: {message}").format(where=where, message=self.message)
        return _("{where}: {field}: {message}").format(where=where, field=field_name(self.field), message=self.message)


class GongkaiError(Exception):
    """Raised with one or more problems; the CLI prints them and exits 1."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
