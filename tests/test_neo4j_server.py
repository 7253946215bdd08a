"""Provisioning a local Neo4j 5.26 from Maven Central: the lock, verified fetches, conf, lifecycle."""

import hashlib
import os
import re
import socket

import pytest

from graph import neo4j_server as srv


def test_lock_pins_a_526_community_runtime():
    version, jars = srv.read_lock()
    assert re.fullmatch(r"5\.26\.\d+", version)
    coords = {j.coord for j in jars}
    assert f"org.neo4j:neo4j:{version}" in coords and f"org.neo4j.app:neo4j-server:{version}" in coords
    assert len(jars) > 150 and all(re.fullmatch(r"[0-9a-f]{64}", j.sha256) and j.size > 0 for j in jars)
    assert not any("enterprise" in c for c in coords)
    native = next(j for j in jars if j.coord.endswith(":linux-x86_64"))
    assert native.relpath.endswith("-linux-x86_64.jar")


def _fake_repo(tmp_path, content: bytes, claimed: bytes):
    jar = srv.Jar("org.example:thing:1.0", hashlib.sha256(claimed).hexdigest(), len(claimed))
    served = tmp_path / "repo" / jar.relpath
    served.parent.mkdir(parents=True)
    served.write_bytes(content)
    return jar, f"file://{tmp_path / 'repo'}"


def test_fetch_verifies_sha256(tmp_path, monkeypatch):
    jar, repo = _fake_repo(tmp_path, b"real bytes", b"real bytes")
    monkeypatch.setenv("PATNAV_MAVEN_REPO", repo)
    seen = []
    [path] = srv.fetch_jars([jar], cache=tmp_path / "m2", progress=lambda d, t: seen.append((d, t)))
    assert path.read_bytes() == b"real bytes" and seen == [(10, 10)]
    bad, repo = _fake_repo(tmp_path / "b", b"tampered!!", b"real bytes")
    monkeypatch.setenv("PATNAV_MAVEN_REPO", repo)
    with pytest.raises(srv.ServerError, match="SHA-256 differs"):
        srv.fetch_jars([bad], cache=tmp_path / "m2b")
    assert not (tmp_path / "m2b" / bad.relpath).exists()


def test_conf_binds_loopback_and_sizes_memory(tmp_path):
    conf = srv.write_conf(tmp_path, 7777, "1g", "512m").read_text()
    assert "server.bolt.listen_address=127.0.0.1:7777" in conf
    assert "server.http.enabled=false" in conf and "dbms.usage_report.enabled=false" in conf
    assert "server.memory.heap.max_size=1g" in conf and "server.memory.pagecache.size=512m" in conf


def test_java_found_is_17_or_21():
    java = srv.find_java()
    out = os.popen(f"'{java}' -version 2>&1").read()
    assert re.search(r'version "(17|21)', out)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.neo4j
def test_neo4j_server_start_status_stop(tmp_path):
    home = tmp_path / "neo4j"
    port = _free_port()
    info = srv.start(home, port=port, heap="512m", pagecache="256m")
    try:
        assert info.uri == f"bolt://127.0.0.1:{port}" and info.pid
        assert srv.status(home).pid == info.pid
        assert srv.start(home, port=port) == info  # already running: the same server
        assert oct((home / "auth.json").stat().st_mode)[-3:] == "600"
        from graph.neo4j_store import Neo4jStore
        with Neo4jStore.connect(info.uri, info.user, info.password) as store:
            assert store.run("CALL dbms.components() YIELD versions RETURN versions[0] AS v")["v"][0] == info.version
    finally:
        assert srv.stop(home)
    assert srv.status(home) is None
    assert "Stopped." in (home / "logs" / "console.log").read_text()  # a clean shutdown, not a kill
    assert not srv.stop(home)


def test_generated_passwords_never_look_like_an_option():
    """CI once failed to start Neo4j because the random password began with "-" (neo4j-admin took it for
    an option); every generated password is a plain token."""

    assert all(re.fullmatch(r"[0-9a-f]{36}", srv.new_password()) for _ in range(2000))


def test_conf_with_the_browser_keeps_http_on_loopback(tmp_path):
    conf = srv.write_conf(tmp_path, 7777, "1g", "512m", http_port=7475).read_text()
    assert "server.http.enabled=true" in conf and "server.http.listen_address=127.0.0.1:7475" in conf
    assert "client.allow_telemetry=false" in conf and "dbms.security.procedures.allowlist=\n" in conf
    assert f"browser.post_connect_cmd=play http://127.0.0.1:7475/browser/{srv.GUIDE}" in conf
    assert "dbms.security.allow_csv_import_from_file_urls=false" in conf


def test_the_browser_jar_is_locked_and_carries_the_cookbook_offline(tmp_path):
    """The Browser jar is pinned like the server's; the copy PatNav serves adds the cookbook guide and drops
    the bundle's web-font request to fonts.googleapis.com."""
    import zipfile

    _, server = srv.read_lock()
    _, both = srv.read_lock(browser=True)
    [jar] = [j for j in both if j not in server]
    assert jar.group == "browser" and jar.coord.startswith("org.neo4j.client:neo4j-browser:")
    [original] = srv.fetch_jars([jar])
    made = srv.browser_jar(tmp_path, original)
    with zipfile.ZipFile(made) as z:
        assert z.read(f"browser/{srv.GUIDE}").decode().startswith('<article class="guide">')
        bundles = [n for n in z.namelist() if n.endswith(".js")]
        assert bundles and not any(b"fonts.googleapis.com/css" in z.read(n) for n in bundles)
    with zipfile.ZipFile(original) as z:
        assert any(b"fonts.googleapis.com/css" in z.read(n) for n in z.namelist() if n.endswith(".js"))
    assert srv.browser_jar(tmp_path, original) == made  # built once per cookbook
