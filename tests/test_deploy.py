"""gongkai deploy with real parts: a `dir` target served by a real nginx (the documented
server block), an `rsync` target over a real sshd on loopback, a deploy killed halfway,
and the errors that must leave a target untouched."""

from __future__ import annotations

import calendar
import getpass
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.deploy import release_name
from tests.helpers import (
    REPO,
    UNSERVED,
    complete,
    configure,
    dir_target,
    edit_body,
    files_in,
    free_port,
    live,
    make_site,
    one_line_error,
    run_cli,
    site_with_dir_target,
)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SSHD = "/usr/sbin/sshd"


def manifest(release: Path) -> dict[str, list]:
    return json.loads((release / ".gongkai-manifest.json").read_text(encoding="utf-8"))["files"]


# --- nginx ---------------------------------------------------------------------------------

class Nginx:
    def __init__(self, work: Path, target: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/xxgk/"
        server = (REPO / "docs/nginx-site.conf").read_text(encoding="utf-8")
        server = server.replace("listen 80;", f"listen 127.0.0.1:{self.port};").replace("/srv/www/xxgk", str(target))
        (work / "site.conf").write_text(server, encoding="utf-8")
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp = "\n".join(f"{kind}_temp_path {work}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                            "scgi"))
        (work / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {work}/nginx.pid;\nerror_log {work}/error.log;\n"
            "events { worker_connections 64; }\n"
            f"http {{\ninclude /etc/nginx/mime.types;\ndefault_type application/octet-stream;\naccess_log off;\n"
            f"{temp}\ninclude {work}/site.conf;\n}}\n", encoding="utf-8")
        self.process = subprocess.Popen([NGINX, "-p", str(work), "-c", str(work / "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url, timeout=1)
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"nginx did not start: {(work / 'error.log').read_text(errors='replace')}")

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.url + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[tuple[Nginx, Path]]:
    target = tmp_path / "www"
    work = tmp_path / "nginx"
    work.mkdir()
    server = Nginx(work, target)
    yield server, target
    server.stop()


CONTENT_TYPES = {".html": "text/html", ".css": "text/css", ".js": "application/javascript", ".xml": "text/xml",
                 ".json": "application/json", ".xsl": "application/xml", ".svg": "image/svg+xml", ".txt": "text/plain"}


def test_dir_target_served_by_nginx_deploy_edit_and_rollback(tmp_path: Path, nginx: tuple[Nginx, Path]) -> None:
    server, target = nginx
    site = make_site(tmp_path / "site", 30, server.url, search=True)  # the server block's rules for the index
    configure(site, dir_target(target, server.url))

    first = run_cli("deploy", cwd=site)
    assert first.returncode == 0, first.stderr
    assert re.search(r"deployed web: release \S+, \d+ added, 0 changed, 0 removed", first.stdout)
    public = files_in(site / "public")
    for name, data in public.items():
        status, headers, body = server.get(name.removesuffix("index.html"))
        assert status == 200 and body == data, name
        suffix = Path(name).suffix
        if suffix in CONTENT_TYPES:
            assert headers["Content-Type"].startswith(CONTENT_TYPES[suffix]), (name, headers["Content-Type"])
    status, headers, _ = server.get("notices/n0001/", **{"Accept-Encoding": "gzip"})
    assert headers.get("Content-Encoding") == "gzip"  # the precompressed copy
    assert server.get("static/style.css")[1]["Cache-Control"].endswith("immutable")
    assert server.get("no-such-page/")[0] == 404

    before = live(target).resolve()
    notice = site / "content/notices/n0003.md"
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text.replace("title: 示例通知第3号", "title: 示例通知第3号（已修订）"), encoding="utf-8")
    assert run_cli("build", "--base-url", server.url, cwd=site).returncode == 0
    second = run_cli("deploy", cwd=site)
    assert second.returncode == 0, second.stderr
    after = live(target).resolve()
    assert after != before and "已修订" in server.get("notices/n0003/")[2].decode()
    assert "已修订" in server.get("feed.xml")[2].decode() and "已修订" in server.get("atom.xml")[2].decode()
    old, new = manifest(before), manifest(after)
    changed = {name for name in new if name in old and old[name] != new[name] and not name.endswith((".gz", ".br"))}
    assert {n for n in changed if re.fullmatch(r"notices/[^/]+/index\.html", n)} == {"notices/n0003/index.html"}
    assert "feed.xml" in changed and not [n for n in changed if n.startswith("static/")]
    assert f", {len(changed)} changed," in second.stdout
    unchanged = "notices/n0004/index.html"
    assert (before / unchanged).stat().st_ino == (after / unchanged).stat().st_ino  # linked, not copied again

    (site / "content/notices/n0005.md").unlink()
    assert run_cli("build", "--base-url", server.url, cwd=site).returncode == 0
    third = run_cli("deploy", cwd=site)
    assert third.returncode == 0 and re.search(r", [1-9]\d* removed", third.stdout), third.stdout
    assert server.get("notices/n0005/")[0] == 404

    back = run_cli("deploy", "--rollback", cwd=site)
    assert back.returncode == 0, back.stderr
    assert live(target).resolve() == after
    assert server.get("notices/n0005/")[0] == 200


def test_dry_run_changes_nothing(tmp_path: Path) -> None:
    site, target = site_with_dir_target(tmp_path, 10)
    result = run_cli("deploy", "--dry-run", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "  add notices/n0001/index.html" in result.stdout and "would deploy web" in result.stdout
    assert not target.exists()


def test_old_releases_are_pruned_to_keep(tmp_path: Path) -> None:
    site, target = site_with_dir_target(tmp_path, 5, "    keep: 2\n")
    for round_ in range(4):
        edit_body(site, 1, f"第二段。第{round_}次修订。")
        assert run_cli("build", "--base-url", UNSERVED, cwd=site).returncode == 0
        assert run_cli("deploy", cwd=site).returncode == 0  # several within one second, most likely
    releases = sorted(p.name for p in (target / "releases").iterdir())
    assert len(releases) == 2 and live(target).resolve().name == releases[-1]
    assert "第3次修订" in (live(target) / "notices/n0001/index.html").read_text(encoding="utf-8")
    back = run_cli("deploy", "--rollback", cwd=site)
    assert back.returncode == 0 and live(target).resolve().name == releases[0]
    assert "第2次修订" in (live(target) / "notices/n0001/index.html").read_text(encoding="utf-8")


def test_release_names_follow_deploy_order_whatever_the_clock_says() -> None:
    now = calendar.timegm((2026, 11, 23, 22, 18, 36, 0, 0, 0))
    assert release_name("ffff" * 16, [], now) == "20261123T221836Z-ffffffff"
    same_second = release_name("0000" * 16, ["20261123T221836Z-ffffffff"], now)
    assert same_second == "20261123T221837Z-00000000"
    after_a_clock_set_back = release_name("0000" * 16, ["20300101T000000Z-ffffffff"], now)
    assert after_a_clock_set_back == "20300101T000001Z-00000000"


def test_a_deploy_after_one_made_with_a_fast_clock_still_becomes_the_newest(tmp_path: Path) -> None:
    site, target = site_with_dir_target(tmp_path, 5)
    assert run_cli("deploy", cwd=site).returncode == 0
    ahead = "20991231T235959Z-" + live(target).resolve().name.split("-")[1]
    live(target).resolve().rename(target / "releases" / ahead)
    live(target).unlink()
    live(target).symlink_to(f"releases/{ahead}")
    edit_body(site, 1, "第二段。已修订。")
    assert run_cli("build", "--base-url", UNSERVED, cwd=site).returncode == 0
    assert run_cli("deploy", cwd=site).returncode == 0
    assert live(target).resolve().name.startswith("21000101T000000Z-")
    assert "已修订" in (live(target) / "notices/n0001/index.html").read_text(encoding="utf-8")
    assert run_cli("deploy", "--rollback", cwd=site).returncode == 0
    assert live(target).resolve().name == ahead


# --- a deploy killed halfway --------------------------------------------------------------

def test_a_deploy_killed_halfway_leaves_the_live_site_as_it_was(tmp_path: Path) -> None:
    site, target = site_with_dir_target(tmp_path, 300)
    assert run_cli("deploy", cwd=site).returncode == 0
    live_before = live(target).resolve()
    served = files_in(live(target))
    for number in range(0, 300, 3):
        edit_body(site, number, "第二段，再次修订。")
    shutil.rmtree(site / ".gongkai-cache/deploy")  # every file is compressed again: a slow deploy
    assert run_cli("build", "--base-url", UNSERVED, cwd=site).returncode == 0
    process = subprocess.Popen([sys.executable, "-m", "builder", "deploy"], cwd=site,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list((target / "releases").glob(".partial-*")) and time.monotonic() < deadline:
        assert process.poll() is None, "the deploy ended before it could be killed"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert live(target).resolve() == live_before
    assert files_in(live(target)) == served
    again = run_cli("deploy", cwd=site)
    assert again.returncode == 0, again.stderr
    assert not list((target / "releases").glob(".partial-*"))
    assert "再次修订" in (live(target) / "notices/n0000/index.html").read_text(encoding="utf-8")


# --- errors --------------------------------------------------------------------------------

@pytest.mark.parametrize(("target", "expected"), [
    ("    type: dir\n    path: /etc\n", "site.yaml:"),
    ("    type: dir\n    path: /tmp/../etc/site\n", "deploy.web.path: expected an absolute folder"),
    ("    type: dir\n    path: relative/www\n", "deploy.web.path: expected an absolute folder"),
    ("    type: rsync\n    dest: 'host:/srv/www; rm -rf /'\n", "deploy.web.dest: expected user@host:/absolute/folder"),
    ("    type: ftp\n    path: /srv/www\n", "deploy.web.type: expected dir or rsync"),
])
def test_bad_targets_are_config_errors(tmp_path: Path, target: str, expected: str) -> None:
    site = make_site(tmp_path / "site", 3, UNSERVED)
    configure(site, "  web:\n" + target)
    result = run_cli("deploy", cwd=site)
    assert result.returncode == 1 and expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_refusals_leave_the_target_untouched(tmp_path: Path) -> None:
    site, target = site_with_dir_target(tmp_path, 5)
    assert run_cli("deploy", cwd=site).returncode == 0
    before = files_in(target)

    assert run_cli("build", "--base-url", "https://elsewhere.example/", cwd=site).returncode == 0
    wrong_base = run_cli("deploy", cwd=site)
    assert wrong_base.returncode == 1 and "built for https://elsewhere.example/" in wrong_base.stderr

    assert run_cli("build", "--base-url", UNSERVED, cwd=site).returncode == 0
    (site / "public/static/style.css").unlink()
    broken = run_cli("deploy", cwd=site)
    assert broken.returncode == 1 and "leads to no file in the site" in broken.stderr

    (site / "public").unlink()  # the link to the built tree: the site is gone from public/
    missing = run_cli("deploy", cwd=site)
    assert missing.returncode == 1 and "public/: no built site" in missing.stderr

    assert run_cli("build", "--base-url", UNSERVED, cwd=site).returncode == 0
    (target / "current").unlink()
    (target / "current").symlink_to("/etc")
    tampered = run_cli("deploy", cwd=site)
    assert tampered.returncode == 1 and "outside its releases/ folder" in tampered.stderr
    (target / "current").unlink()
    (target / "current").symlink_to(f"releases/{sorted(os.listdir(target / 'releases'))[0]}")
    assert files_in(target) == before
    for result in (wrong_base, broken, missing, tampered):
        assert "Traceback" not in result.stderr


# --- rsync over a real sshd ----------------------------------------------------------------

class Sshd:
    def __init__(self, work: Path) -> None:
        self.port = free_port()
        for name in ("host", "user"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(work / name)], check=True)
        (work / "authorized_keys").write_text((work / "user.pub").read_text())
        host_key = (work / "host.pub").read_text().split()
        (work / "known_hosts").write_text(f"[127.0.0.1]:{self.port} {host_key[0]} {host_key[1]}\n")
        (work / "sshd_config").write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {work}/host\nPidFile {work}/sshd.pid\n"
            f"AuthorizedKeysFile {work}/authorized_keys\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nLogLevel ERROR\n")
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", exist_ok=True)  # privilege separation needs it
        self.process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(work / "sshd_config")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.work = work
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            probe = subprocess.run(["ssh", "-p", str(self.port), "-i", str(work / "user"), "-o", "BatchMode=yes",
                                    "-o", f"UserKnownHostsFile={work}/known_hosts", "-o", "StrictHostKeyChecking=yes",
                                    f"{getpass.getuser()}@127.0.0.1", "true"], capture_output=True, check=False)
            if probe.returncode == 0:
                return
            time.sleep(0.1)
        self.process.terminate()
        raise AssertionError(f"sshd did not start: {self.process.stderr.read().decode(errors='replace')}")

    def target(self, name: str, path: Path, base: str, known_hosts: str | None = None, port: int | None = None) -> str:
        return (f"  {name}:\n    type: rsync\n    dest: {getpass.getuser()}@127.0.0.1:{path}\n"
                f"    port: {port or self.port}\n    identity: {self.work}/user\n"
                f"    known_hosts: {known_hosts or self.work / 'known_hosts'}\n    url: {base}\n")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[Sshd]:
    work = tmp_path / "sshd"
    work.mkdir()
    server = Sshd(work)
    yield server
    server.stop()


@pytest.mark.long
def test_rsync_target_over_ssh_deploys_redeploys_and_rolls_back(tmp_path: Path, sshd: Sshd) -> None:
    remote = tmp_path / "server/www"
    site = make_site(tmp_path / "site", 30, UNSERVED)
    configure(site, sshd.target("web", remote, UNSERVED))
    first = run_cli("deploy", "web", cwd=site)
    assert first.returncode == 0, first.stderr
    first_release = live(remote).resolve()
    assert files_in(site / "public").items() <= files_in(first_release).items()
    assert (first_release / "notices/n0001/index.html.gz").is_file()
    assert (first_release / "notices/n0001/index.html.br").is_file()  # brotli is installed with the tests

    edit_body(site, 7, "第二段，经SSH更新。")
    assert run_cli("build", "--base-url", UNSERVED, cwd=site).returncode == 0
    second = run_cli("deploy", "web", cwd=site)
    assert second.returncode == 0, second.stderr
    second_release = live(remote).resolve()
    assert second_release != first_release
    assert "经SSH更新" in (second_release / "notices/n0007/index.html").read_text(encoding="utf-8")
    unchanged = "notices/n0008/index.html"
    assert (first_release / unchanged).stat().st_ino == (second_release / unchanged).stat().st_ino
    assert re.search(r", [1-9]\d* changed,", second.stdout)

    back = run_cli("deploy", "web", "--rollback", cwd=site)
    assert back.returncode == 0, back.stderr
    assert live(remote).resolve() == first_release


def test_rsync_refuses_an_unknown_host_key_and_an_unreachable_host(tmp_path: Path, sshd: Sshd) -> None:
    remote = tmp_path / "server/www"
    site = make_site(tmp_path / "site", 3, UNSERVED)
    (tmp_path / "empty_known_hosts").write_text("")
    configure(site, sshd.target("stranger", remote, UNSERVED, known_hosts=str(tmp_path / "empty_known_hosts"))
              + sshd.target("down", remote, UNSERVED, port=free_port()))
    for name, reason in (("stranger", "Host key verification failed"), ("down", "Connection refused")):
        result = run_cli("deploy", name, cwd=site)
        assert result.returncode == 1, result.stdout
        assert f"deploy target {name}:" in result.stderr and reason in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert not remote.exists()


@pytest.mark.long
def test_rsync_target_prunes_and_rolls_back_by_the_same_rules(tmp_path: Path, sshd: Sshd) -> None:
    remote = tmp_path / "server/www"
    site = make_site(tmp_path / "site", 3, UNSERVED)
    configure(site, sshd.target("web", remote, UNSERVED) + "    keep: 2\n")
    assert run_cli("deploy", cwd=site).returncode == 0
    (remote / "releases/.partial-mine").mkdir()
    (remote / "releases/20000101T000000Z-deadbeef").mkdir()
    (remote / "releases/20000101T000000Z-deadbeef/index.html").write_text("<p>someone else's</p>")
    made = []
    for version in range(3):
        edit_body(site, 1, f"第二段。第{version}版。")
        assert run_cli("build", "--base-url", UNSERVED, cwd=site).returncode == 0
        result = run_cli("deploy", cwd=site)
        assert result.returncode == 0, result.stderr
        made.append(live(remote).resolve())
    assert (remote / "releases/.partial-mine").is_dir() and (remote / "releases/20000101T000000Z-deadbeef").is_dir()
    assert sorted(n for n in os.listdir(remote / "releases") if "deadbeef" not in n and "mine" not in n) == \
        [made[1].name, made[2].name]
    assert all(complete(release) for release in made[1:])
    nothing = run_cli("deploy", cwd=site)
    assert nothing.returncode == 0 and "nothing changed" in nothing.stdout and live(remote).resolve() == made[2]
    (made[1] / "index.html").unlink()
    back = run_cli("deploy", "--rollback", cwd=site)
    assert "no earlier complete release" in one_line_error(back) and live(remote).resolve() == made[2]
