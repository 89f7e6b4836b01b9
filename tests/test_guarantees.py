"""Lossless, idempotent, hand edits respected, slugs stable: on every seed (and the other
layouts, for losslessness), via the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

from builder.normalize.decode import decode
from tests.helpers import SEEDS, read_notice, rendered_text, run_cli, squeeze, write_samples


def assert_lossless(root: Path, report_file: str, count: int) -> None:
    """Every character of every raw file is furniture in the report, shown in the body, or
    on a line the report names as the source of a front-matter key."""
    report = json.loads((root / report_file).read_text(encoding="utf-8"))
    assert len(report) == count
    for entry in report:
        meta, body = read_notice(root / entry["output"])
        shown = rendered_text(body)
        furniture: dict[int, list[str]] = {}
        for piece in entry["furniture"]:
            furniture.setdefault(piece["line"], []).append(squeeze(piece["text"]))
        field_lines = {item["line"]: key for key, items in entry["fields"].items() for item in items}
        raw = decode((root / entry["source"]).read_bytes()).splitlines()
        for number, line in enumerate(raw, start=1):
            rest = squeeze(line)
            for piece in furniture.get(number, []):
                assert piece in rest, (entry["source"], number, piece)
                rest = rest.replace(piece, "", 1)
            if not rest:
                continue
            if rest in shown:
                continue
            # Not in the body: then it is metadata, and its value is in the front matter.
            assert number in field_lines, f"{entry['source']}:{number} lost: {rest}"
            key = field_lines[number]
            assert key in meta


def test_lossless_every_raw_character_is_accounted_for(normalized_seeds: Path) -> None:
    assert_lossless(normalized_seeds, "report.json", len(SEEDS))


def test_lossless_on_the_other_layouts(tmp_path: Path) -> None:
    write_samples(tmp_path)
    assert run_cli("normalize", "raw", "--out", "out", "--report", "report.json", cwd=tmp_path).returncode == 0
    assert_lossless(tmp_path, "report.json", len(list((tmp_path / "raw").iterdir())))


def test_metadata_values_come_from_their_lines(normalized_seeds: Path) -> None:
    report = json.loads((normalized_seeds / "report.json").read_text(encoding="utf-8"))
    for entry in report:
        meta, _ = read_notice(normalized_seeds / entry["output"])
        for key in ("index_no", "publisher", "category", "title", "addressee"):
            if meta[key] and key not in meta["inferred"]:
                sources = "".join(squeeze(item["text"]) for item in entry["fields"][key])
                assert squeeze(meta[key]) in sources, (entry["source"], key)


def test_report_lists_stripped_furniture(normalized_seeds: Path) -> None:
    report = json.loads((normalized_seeds / "report.json").read_text(encoding="utf-8"))
    stripped = {piece["text"] for entry in report for piece in entry["furniture"]}
    assert {"扫一扫在手机上查看当前页面", "浏览量:1", "网站已支持ipv6", "附件下载"} <= stripped


def test_normalize_twice_is_byte_identical(site: Path) -> None:
    assert run_cli("normalize", cwd=site).returncode == 0
    first = {p.name: p.read_bytes() for p in (site / "content/notices").iterdir()}
    second_run = run_cli("normalize", cwd=site)
    assert second_run.returncode == 0
    assert {p.name: p.read_bytes() for p in (site / "content/notices").iterdir()} == first
    assert "5 unchanged" in second_run.stdout
    assert len([name for name in first if name.endswith(".md")]) == 5


def test_hand_edits_survive_until_force(site: Path) -> None:
    run_cli("normalize", cwd=site)
    target = site / "content/notices/qz01113-1000-2024-00008.md"
    edited = target.read_text(encoding="utf-8").replace("tags:\n", "tags:\n- 手工标签\n", 1)
    target.write_text(edited, encoding="utf-8")

    kept = run_cli("normalize", cwd=site)
    assert kept.returncode == 0
    assert "kept content/notices/qz01113-1000-2024-00008.md" in kept.stdout
    assert "edited by hand" in kept.stdout
    assert target.read_text(encoding="utf-8") == edited

    forced = run_cli("normalize", "--force", cwd=site)
    assert forced.returncode == 0
    assert "手工标签" not in target.read_text(encoding="utf-8")


def test_slug_collision_names_both_files(site: Path) -> None:
    (site / "seeds/copy.txt").write_bytes(SEEDS[0].read_bytes())
    result = run_cli("normalize", cwd=site)
    assert result.returncode == 1
    assert "copy.txt" in result.stderr and SEEDS[0].name in result.stderr
    assert "slug" in result.stderr
    assert "Traceback" not in result.stderr


def test_slugs_are_ascii_and_url_safe(normalized_seeds: Path) -> None:
    names = [p.stem for p in (normalized_seeds / "content/notices").glob("*.md")]
    assert len(names) == 5
    for name in names:
        assert re.fullmatch(r"[a-z0-9-]+", name), name
    assert "qz01113-1000-2024-00008" in names
