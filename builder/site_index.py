"""The site's structure as data: which pages exist and which notices each lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from operator import attrgetter

from builder.config import Agency, SiteConfig
from builder.dates import parse_date
from builder.i18n import _
from builder.model import Notice
from builder.schema import LABEL
from builder.slugs import unique_slugs

UNDATED = "undated"


CHINA = timezone(timedelta(hours=8))


def notice_moment(notice: Notice) -> datetime | None:
    """When a notice was published (else written), in China's time zone; a date alone is midnight."""
    parsed = parse_date(notice.dated or "")
    if parsed is None:
        return None
    return datetime.combine(parsed.day, parsed.clock or datetime.min.time(), CHINA)


def moment_text(notice: Notice) -> str:
    """When a notice was published (else written), as text that sorts as the moments do: a
    read notice's dates are ISO (builder/content.py), a time in China's offset, a date alone
    meaning its midnight. Comparing text spares parsing every notice's date each build."""
    day = notice.dated or ""
    return day + "T00:00:00+08:00" if len(day) == 10 else day


def notice_year(notice: Notice) -> str:
    """The year a notice is archived under in 年度归档, or `undated`."""
    return notice.dated[:4] if notice.dated else UNDATED


@dataclass(frozen=True)
class GroupLink:
    """A group as a page of its list names it. List pages are given this, not the group, so
    that what they show of it is all their keys depend on: a title edit renders again the
    pages that list the notice, not every page of each of its groups."""

    name: str
    slug: str


@dataclass(frozen=True)
class Group(GroupLink):
    """A topic, publisher or year, and its notices newest first."""

    notices: tuple[Notice, ...]

    @property
    def link(self) -> GroupLink:
        """The group as a page of its list names it."""
        return GroupLink(self.name, self.slug)


@dataclass
class SiteIndex:
    """The site's notices in order, newest first, and its groups (topics, publishers, years)
    with their slugs: what the lists, feeds and filters are made of. Its warnings are on
    publisher names taken for others."""

    notices: list[Notice]
    topics: list[Group] = field(default_factory=list)
    publishers: list[Group] = field(default_factory=list)
    years: list[Group] = field(default_factory=list)
    topic_slugs: dict[str, str] = field(default_factory=dict)
    publisher_slugs: dict[str, str] = field(default_factory=dict)  # every name notices give → its agency's slug
    agencies: dict[str, str] = field(default_factory=dict)  # every name notices give → its agency's name
    warnings: list[str] = field(default_factory=list)

    def kinds(self) -> tuple[tuple[str, list[Group]], ...]:
        """Each kind of group with its groups, by the kind's name (its section in builder/urls.py)."""
        return ("topics", self.topics), ("publishers", self.publishers), ("archives", self.years)


def _groups(notices: list[Notice], keys_of, slugs: dict[str, str], order) -> list[Group]:
    members: dict[str, list[Notice]] = {}
    for notice in notices:
        for key in keys_of(notice):
            members.setdefault(key, []).append(notice)
    return [Group(name, slugs[name], tuple(members[name])) for name in sorted(members, key=order)]


MIN_SHORT_NAME = 4  # 教育局 ends too many names to stand for one


def agency_names(names: set[str], table: tuple[Agency, ...]) -> tuple[dict[str, str], list[str]]:
    """Each publisher name notices give → the name of its agency: by the site's publishers
    table, else, where a name ends exactly one longer name of the site (鲤城区教育局 and
    泉州市鲤城区教育局), the longer one, with a warning naming both."""
    listed = {alias: agency.name for agency in table for alias in (agency.name, *agency.aliases)}
    agency = {name: listed.get(name, name) for name in names}
    warnings = []
    for name in sorted(names - listed.keys()):
        longer = {agency[other] for other in names if other != name and other.endswith(name)}
        if len(name) >= MIN_SHORT_NAME and len(longer) == 1:
            agency[name] = longer.pop()
            warnings.append(_("{field} {name} is taken for {longer} (its longer name): list both under publishers: "
                              "in site.yaml to confirm, or list it alone to keep them apart")
                            .format(field=LABEL["publisher"], name=name, longer=agency[name]))
    return agency, warnings


def index_site(notices: list[Notice], config: SiteConfig, slug_memo: dict[str, str] | None = None) -> SiteIndex:
    """The site's groups; `slug_memo` remembers pinyin slugs across builds (it is filled in)."""
    memo = {} if slug_memo is None else slug_memo
    # Newest first, undated last, ties by slug so the order never wobbles (a sort keeps the
    # order of equal keys, reversed or not).
    ordered = sorted(notices, key=attrgetter("slug"))
    ordered.sort(key=moment_text, reverse=True)
    vocabulary = {topic.name: topic for topic in config.tags.vocabulary}
    tags = sorted({tag for n in ordered for tag in n.tags})
    topic_slugs = unique_slugs(tags, {name: vocabulary[name].slug for name in tags if name in vocabulary}, memo)
    agency, warnings = agency_names({n.publisher for n in ordered if n.publisher}, config.publishers)
    publishers = sorted(set(agency.values()))
    agency_slugs = unique_slugs(publishers, {}, memo)
    vocabulary_order = {name: i for i, name in enumerate(vocabulary)}
    found = {notice_year(n) for n in ordered}
    years = sorted(found - {UNDATED}, reverse=True) + [UNDATED] * (UNDATED in found)
    return SiteIndex(
        notices=ordered,
        topics=_groups(ordered, lambda n: n.tags, topic_slugs,
                       lambda name: (vocabulary_order.get(name, len(vocabulary_order)), topic_slugs[name])),
        publishers=_groups(ordered, lambda n: [agency[n.publisher]] if n.publisher else [], agency_slugs,
                           lambda name: agency_slugs[name]),
        years=_groups(ordered, lambda n: [notice_year(n)], {y: y for y in years}, years.index),
        topic_slugs=topic_slugs,
        publisher_slugs={name: agency_slugs[agency[name]] for name in agency},
        agencies=agency,
        warnings=warnings,
    )


def pages_of(items: list, size: int) -> list[list]:
    """`items` in pages of `size`; no items still make one empty page, so every list has its
    first page."""
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]
