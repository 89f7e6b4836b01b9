"""The site's identity: its footer names the site's 网站标识码, ICP 备案号 and 公安备案号 in
their shapes, and every page carries the SiteIDCode meta tag."""

from __future__ import annotations

import re
from collections.abc import Iterator

from builder.inspection.rules import Hit, Rule, Severity, Site

# footer key → (what it is, the inspection setting of its shape, an example)
FOOTER = {
    "site_code": ("网站标识码", "site_code_pattern", "3502000001"),
    "icp": ("ICP备案号", "icp_pattern", "闽ICP备12345678号-1"),
    "police": ("公安备案号", "police_pattern", "闽公网安备35020302000123号"),
}


def _line(site: Site, key: str) -> int | None:
    match = re.search(rf"^\s+{key}\s*:", site.site_text, re.M) or re.search(r"^footer\s*:", site.site_text, re.M)
    return site.site_text.count("\n", 0, match.start()) + 1 if match else None


def footer_identifiers(site: Site) -> Iterator[Hit]:
    """The footer's 网站标识码, ICP 备案号 and 公安备案号, each given and in its shape:
    every 政府网站 must show them, and a missing or malformed one is marked down."""
    for key, (label, setting, example) in FOOTER.items():
        value = (getattr(site.config.footer, key) or "").strip()
        if not value:
            yield Hit(site.site_file, f"页脚没有{label}（footer.{key}）", _line(site, key))
        elif not re.fullmatch(getattr(site.config.inspection, setting), value):
            yield Hit(site.site_file, f"页脚的{label} {value} 格式不对，应形如 {example}", _line(site, key))


def site_id_meta(site: Site) -> Iterator[Hit]:
    """Built pages without the SiteIDCode meta tag: the 政府网站发展指引 has every page
    carry the site's 网站标识码 there, where the inspections' tools read it."""
    if not site.checked or not site.config.footer.site_code:
        return  # without a code in site.yaml no page can carry it: footer_identifiers says so once
    for page in site.checked.unmarked:
        yield Hit(page, "页面缺少 <meta name=\"SiteIDCode\"> 标签")


SOURCE = ("《政府网站发展指引》网站标识；《政府网站与政务新媒体检查指标》："
          "页脚标注网站标识码、ICP备案编号、公安机关备案标识")
RULES = (
    Rule("footer_identifiers", Severity.DEDUCT, "页脚网站标识不全", footer_identifiers,
         "在 site.yaml 的 footer 下填写 site_code、icp、police，与备案信息一致", SOURCE),
    Rule("site_id_meta", Severity.DEDUCT, "页面缺少网站标识码标签", site_id_meta,
         "主题模板的 <head> 中保留 <meta name=\"SiteIDCode\" content=\"{{ site.footer.site_code }}\">，然后重新构建",
         SOURCE),
)
