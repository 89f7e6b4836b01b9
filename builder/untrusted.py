"""Rules for what comes from outside: front matter and site.yaml (one YAML loader for
both), the text they hold, and the web addresses notices link to.

The YAML loader is the safe one with these refusals, each a one-line Problem naming the
file, line and field:

- aliases (`*name`): eight nested ones expand to gigabytes (a "billion laughs"), and no
  notice or site.yaml needs one;
- every tag but the plain ones (text, numbers, true/false, null, lists, mappings):
  `!!python/…`, `!!binary`, `!!set` and local tags;
- numbers longer than MAX_NUMBER: Python refuses to read or print an integer of 4,300
  digits, and no field needs a number a twentieth that long;
- a scalar its tag cannot read (`!!int abc`, `!!bool maybe`).

Dates stay text, so an impossible date is the reader's located error, not YAML's crash;
text comes out without control characters or bidirectional overrides (`visible`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import yaml

from builder.errors import GongkaiError, Problem
from builder.i18n import N_, _

YAML_TAG = "tag:yaml.org,2002:"
PLAIN_TAGS = frozenset(YAML_TAG + name for name in ("null", "bool", "int", "float", "str", "seq", "map"))
NUMBER_TAGS = frozenset(YAML_TAG + name for name in ("int", "float", "bool"))
MAX_NUMBER = 200  # characters of an int or float scalar

# Control characters (tab and line ends are text) and the bidirectional embeddings,
# overrides and isolates, which make text read otherwise than it is stored.
INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
# What YAML's reader refuses in a file (it must be written as an escape).
NOT_YAML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
# Links a page may carry: web addresses and relative paths, never javascript: or data:.
SAFE_URL = re.compile(r"^(?:https?://|[^:]*$)", re.IGNORECASE)
# A key followed by a full-width colon (`title：…`): an input method's colon, which YAML
# reads as part of the text, so that its error comes a line or more later.
FULL_WIDTH_COLON = re.compile(r"^[ \t]*-?[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*：", re.MULTILINE)
# What libyaml says is wrong (and PyYAML, which fills in the {blanks}, where libyaml is
# missing), for the catalog: the one place YAML's words are translated (yaml_problem); a
# problem not listed here is shown as YAML says it.
YAML_PROBLEMS = (
    N_("mapping values are not allowed in this context"), N_("mapping values are not allowed here"),
    N_("mapping keys are not allowed in this context"), N_("block sequence entries are not allowed in this context"),
    N_("found unexpected end of stream"), N_("did not find expected key"), N_("did not find expected node content"),
    N_("did not find expected ',' or '}'"), N_("did not find expected ',' or ']'"),
    N_("did not find expected '-' indicator"), N_("could not find expected ':'"), N_("found unexpected ':'"),
    N_("found character that cannot start any token"), N_("found character {character} that cannot start any token"),
    N_("found a tab character that violates indentation"),
    N_("found a tab character where an indentation space is expected"),
    N_("found unknown escape character"), N_("found unknown escape character {character}"),
    N_("found invalid Unicode character escape code"), N_("did not find expected hexdecimal number"),
    N_("found undefined alias"), N_("found undefined alias {name}"),
    N_("did not find expected alphabetic or numeric character"), N_("found undefined tag handle"),
    N_("did not find the expected '>'"), N_("found an indentation indicator equal to 0"),
    N_("did not find expected comment or line break"), N_("did not find expected whitespace or line break"),
    N_("found unexpected document indicator"), N_("found unknown directive name"),
    N_("did not find expected <document start>"), N_("but found another document"),
    N_("control characters are not allowed"), N_("exceeded maximum nesting depth"),
)
_BLANK = re.compile(r"\{(\w+)\}")


def _shape(problem: str) -> re.Pattern[str]:
    """A problem as a pattern of what YAML says: each blank matches what PyYAML put there."""
    parts = _BLANK.split(problem)  # text, a blank's name, text …
    return re.compile("".join(f"(?P<{part}>.+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)))


_PROBLEM_SHAPES = tuple((_shape(problem), problem) for problem in YAML_PROBLEMS)


def visible(text: str) -> str:
    """`text` without control characters and bidirectional overrides."""
    return INVISIBLE.sub("", text) if INVISIBLE.search(text) else text


def web_address(url: str) -> bool:
    """Whether `url` is an http(s) address or a relative path that a URL parser can read
    (`http://[::1/x` cannot: it is no address, and every later reader would fail on it)."""
    if not SAFE_URL.match(url) or INVISIBLE.search(url):
        return False
    try:
        urlsplit(url)
    except ValueError:
        return False
    return True


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser where present (much faster), without the date resolver."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != YAML_TAG + "timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Constructor(yaml.constructor.SafeConstructor):
    def construct_yaml_str(self, node: yaml.ScalarNode) -> str:
        return visible(super().construct_yaml_str(node))


_Constructor.add_constructor(YAML_TAG + "str", _Constructor.construct_yaml_str)  # type: ignore[type-var]


def yaml_problem(problem: str) -> str:
    """YAML's words for a problem in the user's language where the catalog has them
    (YAML_PROBLEMS), else as YAML said them."""
    for shape, message in _PROBLEM_SHAPES:
        found = shape.fullmatch(problem)
        if found:
            return _(message).format(**found.groupdict()) if found.groupdict() else _(message)
    return problem


def _reason(err: yaml.YAMLError) -> str:
    if isinstance(err, yaml.reader.ReaderError):
        return _("character U+{code:04X} is not allowed; write it as an escape in a double-quoted string").format(
            code=err.character)
    return yaml_problem(str(getattr(err, "problem", None) or err))


def _error_line(err: yaml.YAMLError, text: str, first_line: int) -> int | None:
    bad = NOT_YAML.search(text) if isinstance(err, yaml.reader.ReaderError) else None
    if bad:
        return text.count("\n", 0, bad.start()) + first_line
    mark, context = getattr(err, "problem_mark", None), getattr(err, "context_mark", None)
    # A quote or bracket left open is found only at the end of the text; the line that
    # opened it is the mistake.
    if mark and context and mark.index >= len(text.rstrip()):
        mark = context
    return mark.line + first_line if mark else None


def _full_width_colon(text: str, file: str, first_line: int, before: int | None) -> Problem | None:
    """A key written with a full-width colon at or before line `before`, as a Problem."""
    for found in FULL_WIDTH_COLON.finditer(text):
        line = text.count("\n", 0, found.start()) + first_line
        if before is None or line <= before:
            return Problem(file, _("after the key, write an ASCII colon ':' and a space, not a full-width '：'"),
                           line, found.group(1))
    return None


def _shown(tag: str) -> str:
    return "!!" + tag[len(YAML_TAG):] if tag.startswith(YAML_TAG) else tag


def _refusal(node: yaml.Node) -> str | None:
    """Why a node (reached for the first time) is refused, or None."""
    if node.tag not in PLAIN_TAGS:
        return _("tag {tag} is not allowed (only text, numbers, true/false, null, lists and mappings)").format(
            tag=_shown(node.tag))
    if node.tag in NUMBER_TAGS:
        if len(node.value) > MAX_NUMBER:
            return _("a number of {count} characters is too long; quote it to keep it as text").format(
                count=len(node.value))
        try:
            _Constructor.yaml_constructors[node.tag](_Constructor(), node)
        except (ValueError, KeyError):
            return _("{value} is no {tag}").format(value=repr(node.value[:40]), tag=_shown(node.tag))
    return None


def _check(root: yaml.Node, file: str, first_line: int) -> None:
    """Walk the nodes in document order (iteratively: libyaml allows 1,000 levels); a node
    reached a second time was reached through an alias. A mapping value is located by its
    key's line, which is where the alias is written."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str, yaml.Node]] = [(root, "", root)]
    while stack:
        node, path, where = stack.pop()
        line = where.start_mark.line + first_line
        if id(node) in seen:
            raise GongkaiError(Problem(file, _("aliases (*name) are not allowed; write the value out"), line,
                                       path or None))
        seen.add(id(node))
        refusal = _refusal(node)
        if refusal:
            raise GongkaiError(Problem(file, refusal, line, path or None))
        children: list[tuple[yaml.Node, str, yaml.Node]] = []
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                children += [(key, path, key), (value, f"{path}.{name}" if path else name, key)]
        elif isinstance(node, yaml.SequenceNode):
            # An item that starts before its list was written elsewhere: locate it by the list.
            children = [(item, f"{path}[{index}]", item if item.start_mark.index >= node.start_mark.index else where)
                        for index, item in enumerate(node.value)]
        stack.extend(reversed(children))


def compose(text: str, file: str, first_line: int = 1) -> yaml.Node | None:
    """The checked node tree of a YAML document whose first line is `first_line` of `file`;
    None when it is empty. GongkaiError says what is wrong, and where."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as err:
        line = _error_line(err, text, first_line)
        raise GongkaiError(_full_width_colon(text, file, first_line, line)
                           or Problem(file, _("invalid YAML: {reason}").format(reason=_reason(err)), line)) from None
    finally:
        loader.dispose()
    if isinstance(root, yaml.ScalarNode):  # `title：…` alone is read as one text
        colon = _full_width_colon(text, file, first_line, None)
        if colon:
            raise GongkaiError(colon)
    if root is not None:
        _check(root, file, first_line)
    return root


def construct(node: yaml.Node) -> Any:
    """The Python value of a node from `compose` (or of a node inside one)."""
    return _Constructor().construct_document(node)
