"""Bad input: one line naming the file, the other files still done, exit 1, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import SEEDS, run_cli

BAD_FILES = {
    "empty.txt": b"",
    "blank.txt": b" \r\n\t\n",
    "binary.txt": bytes(range(256)) * 4,
    "latin1.txt": "Caf\xe9 na\xefve r\xe9sum\xe9 \xbd \xbe \xa9".encode("latin-1") * 20,
    "english.txt": b"This is a plain English README with no notice in it.\n" * 5,
    "furniture.txt": "扫一扫在手机上查看当前页面\n版权所有：示例市人民政府\n【打印本页】【关闭窗口】\n".encode(),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_a_one_line_error(site: Path, name: str) -> None:
    (site / "seeds" / name).write_bytes(BAD_FILES[name])
    result = run_cli("normalize", cwd=site)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"seeds/{name}" in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert len(list((site / "content/notices").glob("*.md"))) == len(SEEDS)


def test_missing_source_is_an_error(site: Path) -> None:
    result = run_cli("normalize", "nowhere", cwd=site)
    assert result.returncode == 1
    assert "nowhere: no such file or folder" in result.stderr


def test_broken_site_yaml_names_key_and_line(site: Path) -> None:
    (site / "site.yaml").write_text("title: 示例\nbase_url: https://x.gov.cn/\ncolour: red\n", encoding="utf-8")
    result = run_cli("normalize", cwd=site)
    assert result.returncode == 1
    assert "site.yaml:3: colour: unknown key" in result.stderr
    assert "Traceback" not in result.stderr
