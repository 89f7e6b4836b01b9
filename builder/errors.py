"""Errors as values with a location, printed by the CLI as one line each."""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass

from builder.i18n import N_, NC_, _, pgettext

# The names of the keys editors type (front matter and site.yaml), shown beside the key in
# the user's language, as name（key）. The key itself is always shown, since it is what is typed.
# A notice's fields are marked for the catalog in their rows (builder/schema.py); these are
# the other keys: a content file's name, and site.yaml's.
FIELD_NAMES = (NC_("field", "slug"), NC_("field", "base_url"), NC_("field", "deploy"), NC_("field", "template"),
               NC_("field", "link"), NC_("field", "language"))
_KEY = re.compile(r"[A-Za-z_]+")


def field_name(field: str) -> str:
    """A field as the message names it: its key, after its name where the language has one."""
    key = _KEY.match(field)
    label = pgettext("field", key.group()) if key else field
    if not key or label == key.group():
        return field
    return _("{label} ({field})").format(label=label, field=field)


# What the system says went wrong with a file (OSError.strerror), by the error's name, in the
# C library's words: said in the user's language by system_reason. The one place these
# words are translated; an error not listed here is shown in the system's own words.
SYSTEM_ERRORS = {
    "ENOENT": N_("No such file or directory"), "EACCES": N_("Permission denied"),
    "EPERM": N_("Operation not permitted"), "EISDIR": N_("Is a directory"), "ENOTDIR": N_("Not a directory"),
    "EEXIST": N_("File exists"), "ENOTEMPTY": N_("Directory not empty"), "ENOSPC": N_("No space left on device"),
    "EDQUOT": N_("Disk quota exceeded"), "EFBIG": N_("File too large"), "EROFS": N_("Read-only file system"),
    "ENAMETOOLONG": N_("File name too long"), "ELOOP": N_("Too many levels of symbolic links"),
    "EIO": N_("Input/output error"), "EMFILE": N_("Too many open files"), "EBUSY": N_("Device or resource busy"),
    "ETXTBSY": N_("Text file busy"), "EXDEV": N_("Invalid cross-device link"), "EINVAL": N_("Invalid argument"),
    "ECONNREFUSED": N_("Connection refused"), "ETIMEDOUT": N_("Connection timed out"),
    "EHOSTUNREACH": N_("No route to host"), "ENETUNREACH": N_("Network is unreachable"),
}
_BY_NUMBER = {getattr(errno, name): words for name, words in SYSTEM_ERRORS.items() if hasattr(errno, name)}


def system_reason(err: OSError) -> str:
    """What went wrong, as the system said it (OSError.strerror), in the user's language:
    in English, and for an error the catalog does not know, exactly the system's words."""
    if not err.strerror:  # raised by a program, not by the system
        return str(err)
    english = _BY_NUMBER.get(err.errno)
    said = _(english) if english else err.strerror
    return err.strerror if said == english else said


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
