"""Helpers the test modules share: the CLI and its site folders, built sites compared byte
for byte, a static HTTP server, the preview, a browser's accessibility check, generated and
hand-written notices, and deploy targets. Fixtures are in conftest.py."""

from __future__ import annotations

import ctypes
import hashlib
import html
import http.client
import http.server
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from html import unescape
from pathlib import Path

import yaml
from playwright.sync_api import Page

from builder.markdown import render_markdown

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "seeds").glob("*.txt"))


# --- the CLI and site folders ----------------------------------------------------------------

def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """gongkai in `cwd`, in English (conftest.py sets LC_ALL for every CLI the tests start)."""
    return subprocess.run([sys.executable, "-m", "builder", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)


# gongkai's own language, Chinese: no locale asks for another.
CHINESE_ENV = {**os.environ, "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}


def run_in(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """gongkai in `cwd` with the environment `env` (CHINESE_ENV: in its default language)."""
    return subprocess.run([sys.executable, "-m", "builder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False, env=env)


def write_site_yaml(root: Path, *, search: bool = False) -> Path:
    """The repository's site.yaml in `root`, search off unless asked for: Pagefind is most of
    a small site's build, and only the tests of search need its index."""
    text = (REPO / "site.yaml").read_text(encoding="utf-8")
    config = root / "site.yaml"
    config.write_text(text if search else text + "search: false\n", encoding="utf-8")
    return config


BUILT = re.compile(r"^built \S+: (\d+) written, (\d+) skipped, (\d+) removed", re.MULTILINE)


def build_counts(stdout: str) -> tuple[int, int, int]:
    """How many files a build wrote, skipped (unchanged since the last build) and removed, from
    its summary line (in English, as run_cli runs it)."""
    found = BUILT.search(stdout)
    assert found, stdout
    written, skipped, removed = (int(number) for number in found.groups())
    return written, skipped, removed


# PyYAML's safe loader in C where it has one (eight times faster: the search recall test reads
# 1,005 notices), the same documents to the same values.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_notice(path: Path) -> tuple[dict, str]:
    """(front matter, Markdown body) of a content file."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.load(front, Loader=SAFE_LOADER), body


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in the file by `new`; `old` must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def without_dac_override() -> None:
    """As root, drop the capabilities that read past file modes (CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH) from the bounding set, so a file of mode 000 is unreadable."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2):
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


# --- built sites ------------------------------------------------------------------------------

def _unstable(path: Path) -> bool:
    """Pagefind writes its filter tables (a few small files, and the two files that name
    them) in an order of its own (Pagefind issue #638); its fragments and word index, and
    everything gongkai writes, are byte-stable."""
    return path.parts[0] == "pagefind" and ("filter" in path.parts or path.name == "pagefind-entry.json"
                                            or path.suffix == ".pf_meta")


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by its path there, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def site_tree(folder: Path) -> dict[str, bytes]:
    """Every file of a built site by path, for comparing two builds byte for byte."""
    return {path: data for path, data in files_in(folder).items() if not _unstable(Path(path))}


class Served:
    """A built site under /xxgk/ on a real HTTP server on loopback."""

    def __init__(self, root: Path, www: Path, port: int) -> None:
        self.root, self.www, self.port = root, www, port
        self.public = www / "xxgk"
        self.base = f"http://127.0.0.1:{port}/xxgk/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def http_server(directory: Path, port: int) -> Iterator[None]:
    """A static HTTP server for `directory` on loopback, for as long as the block runs."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.RequestHandlerClass.log_message = lambda *args: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


# --- the preview -----------------------------------------------------------------------------

DEADLINE = 2.0  # seconds from an edit to the page that shows it


class Preview:
    """`gongkai serve` in a subprocess, its output gathered line by line."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process = subprocess.Popen([sys.executable, "-m", "builder", "serve", "--port", str(self.port)],
                                        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(lambda: any("serving the preview" in line for line in self.lines), 30)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=5) as response:
                return response.status, response.headers["Content-Type"], response.read().decode("utf-8")
        except urllib.error.HTTPError as err:
            return err.code, err.headers["Content-Type"], err.read().decode("utf-8")

    def raw_status(self, path: str) -> int:
        """The status for a path sent exactly as written, without a client tidying it."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        connection.request("GET", path)
        status = connection.getresponse().status
        connection.close()
        return status

    @staticmethod
    def wait_for(check, seconds: float = DEADLINE) -> float:
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if check():
                return time.monotonic() - started
            time.sleep(0.02)
        raise AssertionError(f"not within {seconds} s")

    def rebuilds(self) -> int:
        return sum(1 for line in self.lines if line.startswith(("built the preview", "rebuilt", "error: build")))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


# --- a browser --------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
# Flags for a sandboxed CI machine with no network but loopback.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
AXE = REPO / "node_modules/axe-core/axe.min.js"
VNU = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations on the page as loaded: each rule with its nodes."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]


# --- notices ----------------------------------------------------------------------------------

TOPICS = ["教育", "学前教育", "义务教育", "招生", "安全"]
PUBLISHERS = ["示例市教育局", "示例县教育局", "示例区人民政府办公室"]


def generate_site(root: Path, count: int, seed: int = 7, *, search: bool = False) -> None:
    """`count` notices with varied dates, publishers and tags; some undated, some without a
    time; the repository's site.yaml, search off unless asked for (write_site_yaml)."""
    write_site_yaml(root, search=search)
    folder = root / "content/notices"
    folder.mkdir(parents=True)
    rng = random.Random(seed)
    start = datetime(2020, 1, 1).date()
    for number in range(count):
        day = start + timedelta(days=rng.randrange(1500))
        published = "null" if number % 40 == 0 else (
            f"'{day}T{rng.randrange(8, 18):02d}:{rng.randrange(60):02d}:00+08:00'" if number % 3 else f"'{day}'")
        tags = rng.sample(TOPICS, rng.randint(1, 3))
        (folder / f"n{number:04d}.md").write_text(
            f"---\ntitle: 示例通知第{number}号\npublisher: {rng.choice(PUBLISHERS)}\npublished: {published}\n"
            f"tags: [{', '.join(tags)}]\nattachments:\n- {{number: 1, title: 附表{number}, inline: false}}\n---\n\n"
            f"{{.addressee}}\n各单位：\n\n这是第{number}号通知的第一段。\n\n## 一、总体要求\n\n第二段。\n",
            encoding="utf-8")


def notice(root: Path, number: int) -> Path:
    """The file of generate_site's notice `number`."""
    return root / f"content/notices/n{number:04d}.md"


WHITESPACE = re.compile(r"[\s\u3000\u00a0]+")


def squeeze(text: str) -> str:
    return WHITESPACE.sub("", text)


def rendered_text(markdown: str) -> str:
    """What a reader sees of a body: rendered by markdown-it, tags dropped."""
    return squeeze(unescape(re.sub(r"<[^>]+>", "", render_markdown(markdown))))


# A portal's frame around a notice: its navigation, search box, scripts and footer.
PORTAL = """<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title}_示例市人民政府</title>
{head}
<link rel="stylesheet" href="/css/main.css"><style>body {{ font-size: 14px; }} .a::after {{ content: "通知"; }}</style>
<script>var _hmt = _hmt || []; document.write("<p>统计代码</p>");</script>
</head><body>
<div class="top"><a href="/">示例市人民政府</a> | <a href="/en/">English</a> |
<a href="/wza/">无障碍</a></div>
<div id="nav" class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 通知公告</div>
<form action="/search/"><input name="q"><button>搜索</button></form>
<div class="content">
{body}
</div>
<div class="footer"><p>主办单位：示例市人民政府办公室　版权所有</p>
<p>网站标识码：0000000000　示ICP备00000000号</p></div>
<div style="display:none"><script src="/js/count.js"></script>访问统计</div>
</body></html>
"""


def portal_page(body: str, title: str = "通知", head: str = "", charset: str = "utf-8") -> bytes:
    """A saved page of a government portal, its frame around `body`, in `charset`."""
    page = PORTAL.format(body=body, title=html.escape(title), head=head, charset=charset)
    return page.encode("gb18030" if charset.lower() in ("gb2312", "gbk", "gb18030") else charset)


# Notices in the other metadata layouts portals use, in other encodings (tests/test_layouts.py).
# gov.cn table scraped one cell per line: spaced labels (U+3000), label above value,
# Chinese-numeral dates, a 标题 row; GB18030 bytes with CRLF newlines.
GOVCN_NEXT_LINE = """索　引　号：
000099999/2018-00222
主题分类：
卫生、体育\\医药管理
发文机关：
示例省人民政府
成文日期：
二〇一八年十二月二十一日
标　　题：
示例省人民政府关于印发示例省医疗卫生服务体系规划的通知
发文字号：
示政发[2018]43号
发布日期：
2018年12月29日
示例省人民政府关于印发示例省医疗卫生服务体系规划的通知
示政发〔2018〕43号
各市、县人民政府，省政府各部门：
现将《示例省医疗卫生服务体系规划》印发给你们，请认真贯彻执行。
示例省人民政府
二〇一八年十二月二十一日
（此件公开发布）
"""

# Several label/value pairs per line without colons (a table scraped with tabs), stray
# spaces in a date, furniture around it, and words like 分享/打印 inside real sentences.
TABLE_NO_COLONS = """当前位置：首页 > 政务公开 > 通知公告
【字体：大 中 小】【打印本页】【关闭窗口】
索引号\tXX-2024-001\t主题分类\t综合政务\\其他
发布机构\t示例县人民政府办公室\t成文日期\t2024年 3月 5 日
发文字号\t示政办〔2024〕7号\t发布日期\t2024-03-06 10:20:00
示例县人民政府办公室关于做好2024年春季
安全生产工作的通知
各乡镇人民政府，县直各单位：
为做好春季安全生产工作，现就有关事项通知如下。
一、提高思想认识
各单位要及时分享经验，打印并张贴安全须知，确保安全。
二、落实工作责任
（一）压实属地责任。各乡镇要落实属地管理责任。
（二）压实部门责任。各部门要按照职责分工抓好落实。
示例县人民政府办公室
2024年3月5日
（此件主动公开）
责任编辑：张三
主办单位：示例县人民政府办公室
联系电话：0000-1234567
版权所有：示例县人民政府 网站标识码 1234567890
"""

# A joint document with three signers and one of two attachments inline; UTF-16 with BOM.
JOINT_THREE_SIGNERS = """发布机构：示例市教育局
成文日期：2023-09-01
示例市教育局 示例市财政局 示例市人力资源和社会保障局关于做好教师培训经费保障工作的通知
各县（市、区）教育局、财政局、人力资源和社会保障局：
为规范教师培训经费管理，提高资金使用效益，现将有关事项通知如下。请遵照执行。
附件：1.示例市教师培训经费管理办法
      2.示例市教师培训项目申报表
示例市教育局
示例市财政局
示例市人力资源和社会保障局
2023年9月1日
（此件主动公开）
附件1
示例市教师培训经费管理办法
第一条 为规范教师培训经费管理，制定本办法。
第二条 本办法适用于全市各级各类学校。
"""

# A 函 with no 附注 and colon-less labels; old Mac CR newlines.
LETTER_NO_NOTE = """索引号 SL-2024-0012
发文字号 示教函〔2024〕12号
示例市教育局关于商请支持开展校园足球联赛的函
市体育局：
为推动校园足球发展，我局拟于2024年5月举办全市校园足球联赛，现商请贵局在场地和裁判方面给予支持。
妥否，请函复。
示例市教育局
2024年4月2日
"""

# gov.cn's table scraped with tabs, two pairs a row, an empty 主题词 right above the title,
# a breadcrumb without its 当前位置 label, and sections that run into their text beside a
# one-sentence section.
GOVCN_TABS = """首页 > 政策 > 国务院文件
索 引 号：\t000088888/2018-00111\t主题分类：\t卫生、体育\\医药管理
发文机关：\t示例国务院部门\t成文日期：\t2018年12月21日
标　　题：\t示例部门关于印发加快推进示例工作若干措施的通知
发文字号：\t示发〔2018〕43号\t发布日期：\t2018年12月29日
主 题 词：\t
示例部门关于印发加快推进示例工作若干措施的通知
示发〔2018〕43号
各省、自治区、直辖市示例厅（局）：
现将《加快推进示例工作若干措施》印发给你们，请认真贯彻执行。
附件：加快推进示例工作若干措施
示例国务院部门
2018年12月21日
（此件公开发布）
附件
加快推进示例工作若干措施
一、强化基层
（一）加强基层机构建设。各地要加大投入。
（二）完善分级诊疗制度。
二、深化改革
（一）完善体制
（二）健全机制
"""


# Several pairs a line parted by spaces, labels of another portal (信息分类, 名称, 效力状态),
# a download list standing in for the 附件说明, and a footer of 主办/承办 beside an ICP line.
SPACED_PAIRS = """索 引 号：011000001/2024-00001    文　　号：示教发〔2024〕5号
信息分类：教育、文化、卫生、体育\\教育    发布机构：示例省教育厅
生成日期：2024-06-03    发布日期：2024-06-05
名　　称：示例省教育厅关于加强中小学生心理健康工作的通知
效力状态：有效
各市、州教育局：
为进一步加强中小学生心理健康工作，现就有关事项通知如下。
一、提高认识
心理健康工作关系学生健康成长。
二、组织保障
各地要加强领导，确保各项措施落到实处。
示例省教育厅
2024年6月3日
（此件主动公开）
附件下载：
1.中小学生心理健康监测指标.pdf
2.工作台账模板.xlsx
【打印】 【关闭】
主办：示例省教育厅　　承办：示例省教育信息化中心
示ICP备05000000号　示公网安备 00000000000000号
"""

# A label no table row knows (文件属性) inside the block, under the title and 发文字号, and
# a download list that repeats the 附件说明 with the files' endings and sizes.
POLICY_BLOCK = """示例市人民政府关于印发《示例市促进产业创新发展实施方案》的通知
示政发〔2023〕22号
发文机构：示例市人民政府
实施日期：2023-09-08
成文日期：2023-09-08
发布日期：2023-09-14
文件属性：普发
有效性：有效
各区人民政府，市政府各委、办、局：
现将《示例市促进产业创新发展实施方案》印发给你们，请认真贯彻落实。
附件：1.示例市产业重点方向
2.示例市产业培育路线图
示例市人民政府
2023年9月8日
（此件公开发布）
相关附件：
附件1：示例市产业重点方向.pdf（35KB）
附件2：示例市产业培育路线图.docx
"""


# A wrapped title, a 发文字号 in round brackets, two 附件说明 items on one line, attachments
# whose labels carry their titles (附件1：…), and the 版记 (抄送, 印发) at the end.
TITLED_ATTACHMENTS = """示例市人民政府办公室关于印发示例市2024年
优化营商环境工作要点的通知
示政办发（2024）3号
各县（市、区）人民政府，市直各单位：
《示例市2024年优化营商环境工作要点》已经市政府同意，现印发给你们，请认真组织实施。
附件：1.示例市2024年优化营商环境工作要点 2.任务分工表
示例市人民政府办公室
2024年1月15日
（此件公开发布）
附件1：示例市2024年优化营商环境工作要点
为持续优化营商环境，制定本要点。
一、提升政务服务效能
1.推进“一网通办”。
附件2：任务分工表
推进一网通办：市政务服务局。
抄送：市委办公室，市人大常委会办公室。
示例市人民政府办公室 2024年1月15日印发
"""

# A 公告 numbered by year, opening with a sentence that ends in a colon, signed and dated
# on one line.
ANNOUNCEMENT = """示例县教育局公告
2024年第3号
根据工作需要，现将2024年秋季学期中小学招生有关事项公告如下：
1.招生对象：具有本县户籍的适龄儿童。
2.报名时间：2024年7月1日至7月10日。
特此公告。
示例县教育局 2024年6月20日
"""

# A 批复 under a byline of the portal's (来源 … 作者 …) whose 一、 lines are sentences.
REPLY = """发布时间：2024-05-08  来源：示例市教育局  作者：办公室  阅读次数：328
示例市教育局关于同意设立示例市第一实验小学的批复
示教复〔2024〕8号
示例区教育局：
你局《关于申请设立示例市第一实验小学的请示》收悉。经研究，批复如下：
一、同意设立示例市第一实验小学，办学规模为36个教学班。
二、请你局按照有关规定做好相关工作。
此复。
示例市教育局
二〇二四年五月六日
（联系人：张三，电话：0000-1234567）
"""


# Two bodies that issue the notice together: their names open the title, wrapped over three
# lines, and share the signature line; sections that are items of a list (；).
JOINT_ONE_LINE = """索引号: 11350200MB0000000X/2024-00015
发布机构: 示例区人力资源和社会保障局
所属主题: 劳动、人事、监察\\人事工作
示例区人力资源和社会保障局 示例区财政局
关于调整2024年度区直机关事业单位工作人员
带薪年休假补贴标准的通知
区直各单位：
为进一步规范带薪年休假补贴发放工作，经研究，现就调整有关补贴标准通知如下：
一、调整标准
（一）工作满1年不满10年的，年休假补贴标准为每人每年3000元；
（二）工作满10年以上的，年休假补贴标准为每人每年4000元。
二、执行时间
本通知自2024年1月1日起执行。
示例区人力资源和社会保障局　　　　示例区财政局
2024年7月10日
（此件主动公开）
"""


def write_samples(root: Path) -> None:
    """Each notice above, in its encoding, in `root`/raw/."""
    raw = root / "raw"
    raw.mkdir()
    (raw / "govcn.txt").write_bytes(GOVCN_NEXT_LINE.replace("\n", "\r\n").encode("gb18030"))
    (raw / "table.txt").write_bytes(TABLE_NO_COLONS.encode("utf-8-sig"))
    (raw / "joint.txt").write_bytes(JOINT_THREE_SIGNERS.encode("utf-16"))
    (raw / "letter.txt").write_bytes(LETTER_NO_NOTE.replace("\n", "\r").encode("utf-8"))
    (raw / "tabs.txt").write_text(GOVCN_TABS, encoding="utf-8")
    (raw / "spaced.txt").write_text(SPACED_PAIRS, encoding="utf-8")
    (raw / "policy.txt").write_text(POLICY_BLOCK, encoding="utf-8")
    (raw / "titled.txt").write_text(TITLED_ATTACHMENTS, encoding="utf-8")
    (raw / "announcement.txt").write_text(ANNOUNCEMENT, encoding="utf-8")
    (raw / "reply.txt").write_text(REPLY, encoding="utf-8")
    (raw / "joint-line.txt").write_text(JOINT_ONE_LINE, encoding="utf-8")


# --- deploy targets ---------------------------------------------------------------------------

def configure(site: Path, targets: str) -> None:
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "deploy:\n" + targets, encoding="utf-8")


def dir_target(target: Path, url: str, more: str = "") -> str:
    """The site.yaml lines of a `dir` target named web."""
    return f"  web:\n    type: dir\n    path: {target}\n    url: {url}\n{more}"


def make_site(root: Path, count: int, base: str, *, search: bool = False) -> Path:
    """generate_site's site of `count` notices, built for `base`."""
    root.mkdir(parents=True, exist_ok=True)
    generate_site(root, count, search=search)
    assert run_cli("build", "--base-url", base, cwd=root).returncode == 0
    return root


UNSERVED = "http://127.0.0.1:9/xxgk/"  # a base URL nothing serves: these tests read the target's folder


def site_with_dir_target(tmp_path: Path, count: int, more: str = "") -> tuple[Path, Path]:
    """A built site of `count` notices with a `dir` target named web; (site, target)."""
    target = tmp_path / "www"
    site = make_site(tmp_path / "site", count, UNSERVED)
    configure(site, dir_target(target, UNSERVED, more))
    return site, target


def edit_body(site: Path, number: int, words: str) -> None:
    notice = site / f"content/notices/n{number:04d}.md"
    notice.write_text(notice.read_text(encoding="utf-8").replace("第二段。", words, 1), encoding="utf-8")


def live(target: Path) -> Path:
    return target / "current"


MANIFEST = ".gongkai-manifest.json"
DEPLOY_FILES = (MANIFEST, ".gongkai-release")  # what deploy adds to a release, besides compressed copies


def release_tree(release: Path) -> dict[str, bytes]:
    """A release's files as the built site has them: without what deploy adds."""
    return {name: data for name, data in files_in(release).items()
            if not name.endswith((".gz", ".br")) and name not in DEPLOY_FILES}


def complete(release: Path) -> bool:
    """Every file the release's manifest lists is there with its digest, and nothing else."""
    if not (release / MANIFEST).is_file():
        return False
    listed = json.loads((release / MANIFEST).read_text(encoding="utf-8"))["files"]
    there = {name: [hashlib.sha256(data).hexdigest(), len(data)] for name, data in files_in(release).items()
             if name not in DEPLOY_FILES}
    return there == listed


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr
