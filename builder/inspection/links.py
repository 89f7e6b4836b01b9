"""Links: the built site whole (gongkai check's own test: every page parses, every link
inside the site leads to a file), every link that leaves it well formed, and every
attachment of a 附件说明 offered to readers."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from builder.inspection.rules import Hit, Rule, Severity, Site

MARKDOWN_LINK = re.compile(r"\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"\n]*\")?\s*\)")
AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
LEAVES = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|//)")  # a scheme, or a host of its own
LABEL = r"[A-Za-z0-9\u00a1-\uffff](?:[A-Za-z0-9\u00a1-\uffff-]{0,61}[A-Za-z0-9\u00a1-\uffff])?"
HOST = re.compile(rf"(?:{LABEL}\.)+[A-Za-z\u00a1-\uffff][A-Za-z0-9\u00a1-\uffff-]{{1,62}}|localhost")
MAILBOX = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _host_ok(host: str) -> bool:
    if HOST.fullmatch(host):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def link_problem(url: str) -> str | None:
    """What is wrong with a link that leaves the site, or None."""
    if re.search(r"[\s\x00-\x1f\x7f]", url):
        return "含有空格或控制字符"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "无法解析（方括号、端口或主机名有误）"
    if parts.scheme == "mailto":
        return None if MAILBOX.fullmatch(parts.path) else "不是有效的邮箱地址"
    if parts.scheme not in ("http", "https", ""):
        return f"{parts.scheme}: 不是网页地址（应为 http 或 https）"
    if not parts.hostname or not _host_ok(parts.hostname):
        return "没有有效的主机名（如 www.example.gov.cn）"
    if port == 0:
        return "端口号无效"
    return None


def external_link_malformed(site: Site) -> Iterator[Hit]:
    """A link that leaves the site, in a body or as an attachment's url, that is no working
    web address (a space, no host, a scheme browsers do not open): readers meet it as a
    不可用链接, which the inspection counts against the site."""
    for entry in site.entries:
        body = entry.body
        for pattern in (MARKDOWN_LINK, AUTOLINK):
            for match in pattern.finditer(body):
                url = match[1]
                problem = link_problem(url) if LEAVES.match(url) else None
                if problem:
                    yield Hit(entry.file, f"外部链接 {url[:100]} {problem}", entry.body_line_at(match.start()))
        for attachment in entry.notice.attachments:
            url = attachment.url
            problem = link_problem(url) if url and LEAVES.match(url) else None
            if url and problem:
                yield Hit(entry.file, f"附件 {attachment.title} 的链接 {url[:100]} {problem}",
                          entry.line_of("attachments"))


def attachment_not_online(site: Site) -> Iterator[Hit]:
    """An attachment the 附件说明 lists with neither text, file nor URL: its page says
    未在网上公开, while a document disclosed of the agency's own accord is to be disclosed
    whole, attachments included."""
    for entry in site.entries:
        for attachment in entry.notice.attachments:
            if not (attachment.inline or attachment.file or attachment.url):
                label = f"附件{attachment.number}" if attachment.number is not None else "附件"
                yield Hit(entry.file, f"{label}《{attachment.title}》既无正文也无文件，页面上显示为“未在网上公开”",
                          entry.line_of("attachments"))


def site_unsound(site: Site) -> Iterator[Hit]:
    """What `gongkai check` found wrong with the built site (a page that does not parse, a
    link to no file): a site that cannot be opened, or dead links inside it, fail the
    inspection outright (单项否决)."""
    for problem in site.checked.problems if site.checked else ():
        yield Hit(problem.file, problem.message, problem.line)


def content_invalid(site: Site) -> Iterator[Hit]:
    """Content files a build would refuse: until they are fixed the site cannot be rebuilt,
    and what they should publish stays offline."""
    for problem in site.problems:
        message = f"{problem.field}: {problem.message}" if problem.field else problem.message
        yield Hit(problem.file, message, problem.line)


RULES = (
    Rule("content_invalid", Severity.FAIL, "内容文件有误", content_invalid,
         "按提示改正内容文件（附件文件放在内容文件旁）；gongkai build 会拒绝同样的错误",
         "《政府网站与政务新媒体检查指标》：不可用链接（附件无法下载）"),
    Rule("site_unsound", Severity.FAIL, "网站页面或链接错误", site_unsound,
         "按提示修正页面、模板或链接后重新 gongkai build",
         "《政府网站与政务新媒体检查指标》单项否决：站点无法访问；不可用链接"),
    Rule("external_link_malformed", Severity.DEDUCT, "外部链接格式错误", external_link_malformed,
         "改正链接地址：以 http:// 或 https:// 开头，写全主机名，不含空格",
         "《政府网站与政务新媒体检查指标》：不可用链接"),
    Rule("attachment_not_online", Severity.NOTE, "附件未上网", attachment_not_online,
         "把附件文件放在内容文件旁，并在该附件下写 file: 文件名；或把附件正文贴入正文",
         "《政府信息公开条例》：主动公开的文件应完整公开，含附件"),
)
