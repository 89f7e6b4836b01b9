"""The bytes gongkai writes, against a snapshot: the seeds normalised and built, and 1,000
generated notices built (search off: Pagefind is not ours to pin). A change to gongkai that
means to leave the output alone must leave every file as it was. A change that means to
change the output updates the snapshot, and its diff names every file that changed:

    GONGKAI_UPDATE_SNAPSHOT=1 .venv/bin/pytest tests/test_snapshot.py
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import REPO, files_in, generate_site, run_cli, write_site_yaml

SNAPSHOT = Path(__file__).parent / "data/snapshot.json"
SHOWN = 10  # differing files an assertion names


def fingerprints(folder: Path) -> dict[str, str]:
    return {path: hashlib.sha256(data).hexdigest()[:20] for path, data in files_in(folder).items()}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    seeds = tmp_path_factory.mktemp("snapshot-seeds")
    write_site_yaml(seeds)
    shutil.copytree(REPO / "seeds", seeds / "seeds")
    generated = tmp_path_factory.mktemp("snapshot-generated")
    generate_site(generated, 1000, search=False)
    for root in (seeds, generated):
        if root == seeds:
            assert run_cli("normalize", cwd=root).returncode == 0
        built = run_cli("build", cwd=root)
        assert built.returncode == 0, built.stderr
    return {"seeds: content": fingerprints(seeds / "content"), "seeds: site": fingerprints(seeds / "public"),
            "1,000 generated: site": fingerprints(generated / "public")}


def test_the_output_is_the_snapshots_bytes(written: dict[str, dict[str, str]]) -> None:
    if os.environ.get("GONGKAI_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(written, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for name, files in written.items():
        expected = snapshot[name]
        changed = sorted(path for path in files.keys() | expected.keys() if files.get(path) != expected.get(path))
        assert not changed, f"{name}: {len(changed)} files differ from the snapshot, such as {changed[:SHOWN]}"
