"""Portal furniture: page chrome around a notice, never part of it.

Every rule is a row in a table. A rule removes a whole line, or a glued head or tail of a
line; nothing inside a sentence is ever touched, so words such as 分享, 打印 or 大/中/小
in real text are safe. Rows are anchored and specific on purpose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum

from builder.i18n import N_
from builder.normalize.decode import Line
from builder.normalize.patterns import file_name


class Where(Enum):
    """Where a furniture rule looks: at the whole line, or at a head or a tail glued to text."""

    LINE = "line"  # the whole line is furniture
    HEAD = "head"  # glued at the start of a line
    TAIL = "tail"  # glued at the end of a line


SHARE_SITES = r"(?:微信|微博|新浪微博|腾讯微博|QQ空间|QQ好友|QQ|朋友圈|豆瓣|人人网)"
# 字体：大 中 小, [大][中][小], 小 | 中 | 大: font-size buttons in any order and dress.
FONT_SIZES = r"(?:\[?\s*[大中小]\s*\]?\s*[|｜]?\s*){3}"
PAGE_BUTTONS = (r"(?:打印本页|打印|关闭窗口|关闭|收藏|返回顶部|回到顶部|我要纠错|保存本页|分享|评论"
                rf"|字[体号][:：]?\s*(?:{FONT_SIZES}|T\s*[|｜]\s*T)?|{FONT_SIZES}|Aa)")
# Header and footer bars: two or more of these words (one of the first group alone).
NAV_ALONE = ("网站首页", "返回首页", "首页", "设为首页", "加入收藏", "网站地图", "繁体", "简体", "繁體", "English",
             "无障碍浏览", "無障礙", "长者模式", "关怀版", "返回主站", "工作邮箱", "政务邮箱", "排行榜")
# Accessibility and reading toolbars: each button a line or all on one.
TOOLBAR_WORDS = ("页面放大", "页面缩小", "语音播报", "指读", "连读", "大鼠标", "十字光标", "退出长者模式", "长者模式",
                 "朗读", "无障碍阅读", "无障碍", "长者助手", "关怀版", "繁体版", "简体版", "读屏", "纯文本", "配色",
                 "大字幕", "放大", "缩小", "重置", "退出服务", "声音", "English")
NAV_WORDS = (*NAV_ALONE, "登录", "注册", "退出", "个人中心", "无障碍", "长者版", "适老版", "手机版", "移动版", "EN",
             "关于我们", "联系我们", "隐私声明", "隐私政策", "免责声明", "网站声明", "使用帮助", "帮助", "站点地图",
             "政务公开", "信息公开", "政务服务", "办事服务", "互动交流", "政民互动", "新闻中心", "新闻动态", "数据开放",
             "专题专栏", "智能问答", "政务微博", "政务微信", "网站纠错", "意见建议", "搜索", "机构概览", "动态要闻",
             "在线办事", "互动回应", "工作邮箱", "政务邮箱", "版权声明", "隐私保护", "关于本站", "技术支持")


def _any_of(words: tuple[str, ...]) -> str:
    return "(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")"


NAV_BAR = rf"\|?\s*{_any_of(NAV_WORDS)}(?:\s*[|｜/·]?\s*{_any_of(NAV_WORDS)})+\s*\|?"
COUNTERS = r"(?:浏览量|浏览次数|阅读次数|阅读量|访问量|访问次数|点击数|点击量|点击率)\s*[:：]\s*\d*\s*次?"

# Footer lines: each row needs a token that no sentence of a notice carries.
FOOTER_ROWS = (
    r"(?:版权所有|Copyright|©).*",
    r".{0,40}版权所有(?:[,，©].{0,30})?",
    r".*网站标识码\s*[:：]?\s*[0-9A-Za-z]{10}.*",
    r".*ICP(?:证号|备案号|备)\s*[:：]?.*\d+号.*",
    r".*公网安备\s*\d+号?.*",
    r"技术支持\s*[:：].*",
)
FOOTER = re.compile("|".join(f"(?:{row})" for row in FOOTER_ROWS), re.IGNORECASE)

@dataclass(frozen=True)
class Rule:
    """A furniture rule: its name (the report gives it with each piece stripped), where it
    looks and its pattern."""

    name: str
    where: Where
    pattern: re.Pattern[str]


def _rule(name: str, where: Where, pattern: str) -> Rule:
    return Rule(name, where, re.compile(pattern, re.IGNORECASE))


INTERPRETATION_WORDS = "政策解读|部门解读|媒体视角|一图读懂|解读发布|专家解读|图文解读|相关报道|相关政策"
RULES: list[Rule] = [
    _rule(N_("share bar"), Where.LINE, r"扫一扫.{0,14}"),
    _rule(N_("share bar"), Where.LINE, r"分享到\s*[:：]?.*"),
    _rule(N_("share bar"), Where.LINE, rf"{SHARE_SITES}(?:\s*[|/、]?\s*{SHARE_SITES})*"),
    _rule(N_("page buttons"), Where.LINE, rf"(?:【\s*{PAGE_BUTTONS}\s*】\s*|\[\s*{PAGE_BUTTONS}\s*\]\s*)+"),
    _rule(N_("page buttons"), Where.LINE, rf"{PAGE_BUTTONS}(?:\s+{PAGE_BUTTONS})*"),
    _rule(N_("error report link"), Where.LINE, r"我为政府网站找错"),
    _rule(N_("visitor counter"), Where.LINE, rf"{COUNTERS}(?:\s+{COUNTERS})*"),
    _rule(N_("editor's byline"), Where.LINE, r"责任编辑\s*[:：].{0,20}"),
    _rule(N_("related links"), Where.LINE, r"(?:相关|文字|图片|视频|访谈|图文|政策)解读|媒体报道|相关链接|相关文件"
                                           r"|相关新闻|相关阅读|相关稿件|相关信息"),
    _rule(N_("previous and next"), Where.LINE, r"(?:上一篇|下一篇|上一条|下一条)(?:\s*[:：].*)?"),
    _rule(N_("welcome banner"), Where.LINE, r"欢迎(?:光临|访问|来到)[^。，,]{2,40}[!！](?:\s*今天是\s*[:：]?.*)?"),
    _rule(N_("date banner"), Where.LINE, r"今天是\s*[:：]?\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)?"
                                         r"\s*(?:星期|周)?[一二三四五六日天]?"),
    _rule(N_("date banner"), Where.LINE, r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:星期|周)[一二三四五六日天]"),
    _rule(N_("navigation"), Where.LINE, rf"\|?\s*{_any_of(NAV_ALONE)}\s*\|?"),
    _rule(N_("navigation"), Where.LINE, NAV_BAR),
    _rule(N_("IPv6 badge"), Where.LINE, r"网站(?:已)?支持\s*IPv6"),
    _rule(N_("share bar"), Where.LINE, r"(?:微信|手机)(?:扫一扫|扫码).{0,10}"),
    _rule(N_("browser advice"), Where.LINE, r"建议(?:使用|采用|您使用).{0,40}(?:分辨率|浏览器).{0,20}"),
    _rule(N_("browser advice"), Where.LINE, r"(?:系统检测到|检测到)您.{0,20}浏览器.{0,60}"),
    _rule(N_("visitor counter"), Where.LINE, r"您是(?:本站|本网站|本网)?第\s*\d+\s*位访(?:客|问者)"),
    _rule(N_("breadcrumb"), Where.LINE, r"(?:您?(?:当前|现在)的?位置)\s*[:：].*"),
    _rule(N_("breadcrumb"), Where.LINE, r"(?:您所在的?位置|当前位置|您的位置)\s*[:：]?"),
    _rule(N_("breadcrumb"), Where.LINE, r"[^>＞»›\s]{1,12}(?:\s*[>＞»›]\s*[^>＞»›\s]{1,12}){2,}"),
    _rule(N_("breadcrumb"), Where.LINE, r"(?:网站首页|首页|主页)(?:\s*[>＞»›/]\s*[^>＞»›/]{1,30})+\s*[>＞»›]?"),
    _rule(N_("share prompt"), Where.LINE, r"为了便于其他人查询和了解政策.{0,30}"),
    _rule(N_("accessibility toolbar"), Where.LINE,
          rf"{_any_of(TOOLBAR_WORDS)}(?:\s*[|｜]?\s*{_any_of(TOOLBAR_WORDS)})*"),
    # A link to a policy's interpretation beside it (本文政策解读：《…》); a bare 《…》政策解读
    # may be the page's own title, and is furniture only beside furniture (LINKS_BESIDE).
    _rule(N_("interpretation links"), Where.LINE, r"(?:本文)?(?:政策解读|相关解读|解读)\s*[:：]\s*《.{2,80}》\s*"
                                                  r"(?:政策解读|解读)?"),
    _rule(N_("interpretation links"), Where.LINE, rf"\|?\s*(?:{INTERPRETATION_WORDS}|相关政策与解读)"
                                                  rf"(?:\s*[|｜]?\s*(?:{INTERPRETATION_WORDS}))*"),
    _rule(N_("download buttons"), Where.LINE, r"下载(?:文字版|图片版|PDF版|原文)"),
    _rule(N_("comment box"), Where.LINE, r"政策性文件留言咨询|[(（]\s*注\s*[:：]\s*1\s*[.．、]\s*只接收.{0,80}[)）]"),
    _rule(N_("empty link list"), Where.LINE, r"(?:附件下载|相关链接|相关附件)\s*[:：]?"),
    # What a crawler adds: its separators and notes about the files it saved beside the text.
    _rule(N_("crawler's note"), Where.LINE, r"={3,}\s*正文\s*={3,}|(?:正文|content)\s*[:：]"),
    _rule(N_("crawler's note"), Where.LINE, r"页面链接与图片详见.{0,40}|附件与图片链接\s*[:：]|图片\s*[:：]\s*https?://\S+"),
    _rule(N_("citation code"), Where.LINE, r"【?\s*法宝引证码\s*】?\s*[:：]?\s*\S*"),  # a legal database's own
    *(_rule(N_("footer"), Where.LINE, row) for row in FOOTER_ROWS),
    _rule(N_("language switch"), Where.HEAD, r"^\|?\s*(?:繁体|简体|繁體|English)\s*\|\s*"),
    _rule(N_("IPv6 badge"), Where.HEAD, r"^网站已支持\s*IPv6\s*"),
    _rule(N_("page buttons"), Where.HEAD, rf"^(?:【\s*{PAGE_BUTTONS}\s*】\s*)+"),
    _rule(N_("visitor counter"), Where.TAIL, rf"\s*{COUNTERS}$"),
    _rule(N_("share bar"), Where.TAIL, r"\s*扫一扫在手机(?:上)?(?:查看|打开)当前页(?:面)?$"),
    _rule(N_("page buttons"), Where.TAIL, rf"\s*(?:【\s*{PAGE_BUTTONS}\s*】\s*)+$"),
]

# Words of a portal's menus and columns: furniture where they stand alone beside furniture.
COLUMN_WORDS = ("通知公告", "公告公示", "政策文件", "最新文件", "政策法规", "规范性文件", "工作动态", "政务动态",
                "政府信息公开", "法定主动公开内容", "其他文件", "部门文件", "委局文件", "价格管理", "通知", "公告",
                "政策", "文件", "要闻", "新闻", "公示", "其他", "其它")
FONT_BUTTONS = ("[大]", "[中]", "[小]", "大", "中", "小", "A+", "A-")
# Links to a policy's interpretations listed beside it: 《…》政策解读, 一图读懂《…》
LINKS_BESIDE = r"(?:一图读懂|图解|图读)\s*《.{2,80}》|《.{2,80}》\s*(?:政策解读|政策问答|解读|问答)"
MENU_WORD = re.compile(_any_of(tuple(re.escape(word) for word in (*NAV_WORDS, *TOOLBAR_WORDS, *COLUMN_WORDS,
                                                                   *FONT_BUTTONS))) + "|" + LINKS_BESIDE)

# Furniture that is only furniture at the foot of a page, next to a real footer line:
# the same words in a notice are its contact details.
FOOTER_CONTEXT = re.compile(
    r"(?:(?:主办|承办|协办)(?:单位)?|[\u4e00-\u9fff]{0,12}(?:地址|电话|传真|邮编|邮政编码|邮箱|信箱)|电子邮箱|联系我们"
    r"|网站地图|官方微信|官方微博)\s*[:：]?.*"
    r"|[\d\-、 （）()]*\d{3,4}-\d{7,8}.{0,40}"  # a line of phone numbers
    r"|[（(]\s*接听时间.{0,40}[）)]")

# A portal's download list: its label, then a line per file (1.名单.xlsx). The files are
# the notice's attachments: their names go to the assembler, which matches them to the
# 附件说明 (builder/normalize/assemble.py).
DOWNLOADS = re.compile(r"(?:附件下载|下载附件|相关附件|附件列表|相关下载)\s*[:：]?\s*(?P<first>.*)")
BARE_DOWNLOADS = re.compile(r"附\s*件\s*[:：]\s*(?P<first>)")

# Furniture that still says something: the name of the body that runs the site.
PUBLISHER_HINTS: tuple[re.Pattern[str], ...] = (
    re.compile(r"版权所有\s*[:：]?\s*(?:©\s*)?(?P<org>[^\s:：|,，]{4,40}?)(?:\s|$|[|,，]|联系|地址)"),
    re.compile(r"主办(?:单位)?\s*[:：]\s*(?P<org>[^\s:：|,，]{4,40})"),
    re.compile(r"欢迎(?:光临|访问|来到)(?P<org>[^。，,!！]{4,40}?)(?:网站|门户网站|政府网)?[!！]"),
)


@dataclass(frozen=True)
class Removed:
    """A piece of a raw line stripped as furniture, and the name of the rule that did it."""

    line: Line
    rule: str


@dataclass(frozen=True)
class Stripped:
    """A notice's lines with the furniture taken out, and what the furniture still tells:
    the body named in the footer, the files of a download list, whether the text came twice."""

    kept: list[Line]
    furniture: list[Removed]  # what was removed, in raw line order
    publisher_hints: list[Line]  # furniture lines that name the site's body (value, source line)
    downloads: list[Line]  # the files of a download list, one line each
    repeated: bool = False  # the crawler gave the text twice; the second copy is in `furniture`


MAX_FURNITURE_LINE = 200  # page chrome is short; a longer line is prose and only its ends are looked at
MAX_GLUED = 80  # the longest glued head or tail


def _either(where: Where) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{rule.pattern.pattern})" for rule in RULES if rule.where is where),
                      re.IGNORECASE)


# One pattern per kind of rule: most lines match none, and are passed by three searches
# instead of one per rule.
ANY_RULE = {where: _either(where) for where in Where}


def _may_hold_furniture(text: str) -> bool:
    return bool((len(text) <= MAX_FURNITURE_LINE and ANY_RULE[Where.LINE].fullmatch(text))
                or ANY_RULE[Where.HEAD].search(text[:MAX_GLUED])
                or ANY_RULE[Where.TAIL].search(text[max(0, len(text) - MAX_GLUED):]))


def _strip_line(line: Line) -> tuple[Line | None, list[Removed]]:
    """The line less its furniture, and the removed pieces."""
    if not _may_hold_furniture(line.text):
        return line, []
    removed: list[Removed] = []
    text = line.text
    changed = True
    while changed and text:
        changed = False
        for rule in RULES:
            if rule.where is Where.LINE:
                if len(text) <= MAX_FURNITURE_LINE and rule.pattern.fullmatch(text):
                    removed.append(Removed(replace(line, text=text), rule.name))
                    return None, removed
                continue
            start = 0 if rule.where is Where.HEAD else max(0, len(text) - MAX_GLUED)
            match = rule.pattern.search(text[start:start + MAX_GLUED] if rule.where is Where.HEAD else text[start:])
            if match and match.group().strip():
                removed.append(Removed(replace(line, text=match.group().strip()), rule.name))
                text = (text[: start + match.start()] + text[start + match.end():]).strip(" \u3000")
                changed = True
    return (replace(line, text=text) if text else None), removed


def _hints(furniture: list[Removed]) -> list[Line]:
    hints = []
    for piece in furniture:
        for pattern in PUBLISHER_HINTS:
            match = pattern.search(piece.line.text)
            if match:
                hints.append(replace(piece.line, text=match["org"]))
                break
    return hints


def _bare_label_over_files(lines: list[Line], index: int) -> re.Match[str] | None:
    """A bare 附件： is a download list's label only over a file's name: over a title it is
    the notice's own 附件说明."""
    following = lines[index + 1].text if index + 1 < len(lines) else ""
    return BARE_DOWNLOADS.fullmatch(lines[index].text) if file_name(following) else None


def _download_list(lines: list[Line]) -> tuple[list[Line], list[Removed], list[Line]]:
    """(lines left, download labels and files, file lines) of the download lists among `lines`."""
    kept: list[Line] = []
    removed: list[Removed] = []
    files: list[Line] = []
    listing = False
    for index, line in enumerate(lines):
        label = DOWNLOADS.fullmatch(line.text) or _bare_label_over_files(lines, index)
        if label and (not label["first"] or file_name(label["first"])):
            removed.append(Removed(replace(line, text=line.text[: label.start("first")].strip()), N_("download list")))
            if label["first"]:
                files.append(replace(line, text=label["first"]))
            listing = True
        elif listing and file_name(line.text):
            files.append(line)
        else:
            listing = False
            kept.append(line)
    return kept, [*removed, *(Removed(line, N_("download list")) for line in files)], files


def _menu_words(results: list[tuple[Line | None, list[Removed]]]) -> None:
    """Menu words alone on their lines (机构概览, 通知公告) next to furniture, or to each
    other, are a menu printed a word a line: furniture too."""
    def menu(index: int) -> bool:
        rest = results[index][0] if 0 <= index < len(results) else None
        return rest is not None and bool(MENU_WORD.fullmatch(rest.text))

    def gone(index: int) -> bool:
        return 0 <= index < len(results) and results[index][0] is None

    marked = [index for index in range(len(results)) if menu(index) and any(
        menu(near) or gone(near) for near in (index - 1, index + 1))]
    for index in marked:
        rest, removed = results[index]
        assert rest is not None
        results[index] = None, [*removed, Removed(rest, N_("menu word beside furniture"))]


def strip_furniture(lines: list[Line]) -> Stripped:
    """The lines less the portal's furniture: download lists, lines and glued ends that
    RULES match, menu words beside furniture, contact lines beside the footer, and a second
    copy of the text."""
    kept: list[Line] = []
    lines, furniture, downloads = _download_list(lines)
    results = [_strip_line(line) for line in lines]
    _menu_words(results)
    for rest, removed in results:
        furniture.extend(removed)
        if rest is not None:
            kept.append(rest)
    # Contact lines at the foot of the page are furniture only beside a real footer line.
    tail = len(kept)
    while tail and FOOTER_CONTEXT.fullmatch(kept[tail - 1].text):
        tail -= 1
    last_content = kept[tail - 1].number if tail else 0
    if any(p.line.number > last_content and FOOTER.fullmatch(p.line.text) for p in furniture):
        furniture.extend(Removed(line, N_("contact lines beside the footer")) for line in kept[tail:])
        del kept[tail:]
    copy = _second_copy(kept)
    repeated = kept[copy:]
    furniture.extend(Removed(line, N_("second copy of the text")) for line in repeated)
    del kept[copy:]
    furniture.sort(key=lambda piece: piece.line.number)
    return Stripped(kept, furniture, _hints(furniture), downloads, repeated=bool(repeated))


def _second_copy(lines: list[Line]) -> int:
    """Where a second copy of the whole text begins (some crawlers save a page's text
    twice over), or len(lines) when there is none."""
    texts = ["".join(line.text.split()) for line in lines]
    total = sum(len(text) for text in texts)
    half, done = total // 2, 0
    for index, text in enumerate(texts):
        done += len(text)
        if done == half and total % 2 == 0 and index + 1 < len(lines):
            return index + 1 if "".join(texts[:index + 1]) == "".join(texts[index + 1:]) else len(lines)
        if done > half:
            break
    return len(lines)
