"""ASCII URL slugs for Chinese names: pinyin, so a URL reads and never changes with
unrelated content."""

from __future__ import annotations

import hashlib
import re

from builder.i18n import N_

NOT_SLUG = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 60
# A slug set by hand (a topic's, in site.yaml) names a folder of the site: one plain name,
# ASCII so it reads in any URL, lower case so it stays unique on hosts that ignore case.
CONFIGURED_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
SLUG_RULE = N_("a slug of lower-case ASCII letters, digits, - and _ (up to 100, starting with a letter or digit)")


def plain_slug(slug: str) -> bool:
    """Whether a slug set by hand in site.yaml is a plain folder name (CONFIGURED_SLUG)."""
    return CONFIGURED_SLUG.fullmatch(slug) is not None


def name_slug(name: str) -> str:
    """鲤城区教育局 → li-cheng-qu-jiao-yu-ju; a long name keeps a hash so it stays unique."""
    from pypinyin import lazy_pinyin  # loads its dictionary: only when a new name needs it

    words = [NOT_SLUG.sub("-", word.lower()).strip("-") for word in lazy_pinyin(name)]
    slug = "-".join(word for word in words if word)
    digest = hashlib.sha1(name.encode()).hexdigest()[:6]
    if not slug:
        return f"n-{digest}"
    if len(slug) > MAX_SLUG:
        return f"{slug[:MAX_SLUG].rstrip('-')}-{digest}"
    return slug


def unique_slugs(names: list[str], fixed: dict[str, str], memo: dict[str, str]) -> dict[str, str]:
    """A slug per name: `fixed` ones as configured, else pinyin (remembered in `memo`, since
    loading the pinyin dictionary takes longer than a small rebuild); names that share a
    pinyin (homophones) each get a hash of the name, so no URL depends on which came first."""
    for name in names:
        if name not in fixed and name not in memo:
            memo[name] = name_slug(name)
    slugs = {name: fixed.get(name) or memo[name] for name in names}
    counts: dict[str, int] = {}
    for slug in slugs.values():
        counts[slug] = counts.get(slug, 0) + 1
    return {name: slug if counts[slug] == 1 or name in fixed else
            f"{slug}-{hashlib.sha1(name.encode()).hexdigest()[:6]}" for name, slug in slugs.items()}
