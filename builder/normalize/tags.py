"""Topic tags from the site's vocabulary."""

from __future__ import annotations

from builder.config import TagRules


def derive_tags(rules: TagRules, title: str, category: str, body: str) -> list[str]:
    """Tags the title or category names, plus the body's most mentioned topics (at least
    `min_body_hits` mentions, `max_tags` in all); in vocabulary order, so the same text
    always gives the same list."""
    head = f"{title}\n{category}"
    named = {t.name for t in rules.vocabulary if any(word in head for word in t.words)}
    mentions = {t.name: sum(body.count(word) for word in t.words) for t in rules.vocabulary}
    order = {t.name: i for i, t in enumerate(rules.vocabulary)}
    frequent = sorted((name for name, count in mentions.items() if count >= rules.min_body_hits and name not in named),
                      key=lambda name: (-mentions[name], order[name]))
    chosen = named | set(frequent[: max(0, rules.max_tags - len(named))])
    return sorted(chosen, key=order.__getitem__)
