"""The language gongkai speaks: Chinese by default, English on request.

Messages are written in English in the code and looked up in the gettext catalog
builder/locale/zh_CN/LC_MESSAGES/gongkai.po (compiled to .mo when the package is installed,
by setup.py). The language is chosen once per command, before anything is said (`choose`);
every message after that goes through `_` or `ngettext`.
"""

from __future__ import annotations

import argparse
import gettext
import os
import re
from collections.abc import Callable
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "gongkai"
ENGLISH, CHINESE = "en", "zh_CN"

_current: gettext.NullTranslations = gettext.NullTranslations()
_content: gettext.NullTranslations = gettext.NullTranslations()
language = ENGLISH

# site.yaml's `language:` read by a pattern, not by the configuration's parser: the language
# must be known before that parser can report a mistake in site.yaml.
_SITE_LANGUAGE = re.compile(r"^language:\s*[\"']?([A-Za-z_-]+)", re.MULTILINE)


def N_(message: str) -> str:  # gettext's conventional name
    """Marks a message for the catalog where it is translated later (argparse's own words)."""
    return message


# argparse's own words, which it looks up through gettext's module functions: listed here so
# that the catalog holds them (the rest of argparse's messages are for programmers).
ARGPARSE_WORDS = (N_("usage: "), N_("options"), N_("positional arguments"), N_("show this help message and exit"),
                  N_("show program's version number and exit"), N_("%(prog)s: error: %(message)s\n"),
                  N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
                  N_("argument %(argument_name)s: %(message)s"), N_("invalid %(type)s value: %(value)r"),
                  N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("expected one argument"),
                  N_("ambiguous option: %(option)s could match %(matches)s"))


def NC_(context: str, message: str) -> str:
    """Marks a message with its context for the catalog, to be translated later by
    `pgettext`: the same English word may need different Chinese in different places."""
    return message


def _asked(value: str) -> str:
    return ENGLISH if value.lower().startswith("en") else CHINESE


def pick(given: str | None, environ: dict[str, str] | os._Environ[str], root: Path) -> str:
    """The language: --lang; else the locale's (LC_ALL, LC_MESSAGES, LANG, the first one set)
    when it is English; else site.yaml's `language`; else Chinese."""
    if given:
        return _asked(given)
    locale = next((environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(name)), "")
    if locale.lower().startswith("en"):
        return ENGLISH
    return site_language(root) or CHINESE


def site_language(root: Path) -> str | None:
    """site.yaml's `language` as a catalog's language, or None without one."""
    try:
        found = _SITE_LANGUAGE.search((root / "site.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    return _asked(found.group(1)) if found else None


def use(chosen: str) -> None:
    """Speak `chosen` from now on, argparse's own words included."""
    global _current, language
    language = chosen
    _current = (gettext.NullTranslations() if chosen == ENGLISH
                else gettext.translation(DOMAIN, LOCALE_DIR, [chosen], fallback=True))
    # argparse calls the module-level names it imported from gettext; they are its only hook.
    argparse._ = _current.gettext  # type: ignore[attr-defined]
    argparse.ngettext = _current.ngettext  # type: ignore[attr-defined]


def _(message: str) -> str:
    return _current.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """A message in the user's language, its singular or plural form by `count`."""
    return _current.ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """A message in the user's language, by its context as well as its words."""
    return _current.pgettext(context, message)


class Phrase(str):
    """A catalog message with its blanks filled in. As a str it is the English: the stable
    id a program reads (normalize's --report); `said` gives it in a language. A blank filled
    with a Phrase (a rule's name, say) is said in that language too; one filled with plain
    text (the page's own words) stays as written."""

    message: str
    parts: tuple[str, ...]
    fills: dict[str, str]

    def __new__(cls, message: str, *parts: str, **fills: str) -> Phrase:
        phrase = super().__new__(cls, message.format(*parts, **fills) if parts or fills else message)
        phrase.message, phrase.parts, phrase.fills = message, parts, fills
        return phrase

    def __getnewargs_ex__(self) -> tuple[tuple[str, ...], dict[str, str]]:  # pickled by a worker process
        return (self.message, *self.parts), self.fills

    def said(self, gettext: Callable[[str], str]) -> str:
        """The phrase in the language of `gettext`, each blank that is a Phrase said in that
        language too."""
        def blank(fill: str) -> str:
            return fill.said(gettext) if isinstance(fill, Phrase) else fill

        message = gettext(self.message)
        if not (self.parts or self.fills):
            return message
        return message.format(*map(blank, self.parts), **{name: blank(fill) for name, fill in self.fills.items()})


def said(message: str, gettext: Callable[[str], str] | None = None) -> str:
    """A message of the catalog (a Phrase, or a plain message such as a rule's name) in the
    language of `gettext`, by default the user's."""
    gettext = gettext or _
    return message.said(gettext) if isinstance(message, Phrase) else gettext(message)


def use_for_content(chosen: str) -> None:
    """Write what goes into content files (normalize's `warnings:`) in `chosen`: the site's
    language, so that a file is the same whoever runs normalize, in whatever terminal."""
    global _content
    _content = (gettext.NullTranslations() if chosen == ENGLISH
                else gettext.translation(DOMAIN, LOCALE_DIR, [chosen], fallback=True))


def for_content(message: str) -> str:
    """`message` in the content files' language (see use_for_content)."""
    return _content.gettext(message)
