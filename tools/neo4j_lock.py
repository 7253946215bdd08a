"""Write graph/neo4j.lock: the Neo4j Community runtime jars, resolved once by Maven, with SHA-256, and
the Neo4j Browser jar (``patnav neo4j start --browser``) on lines that start with ``browser``.

Maintainers run this when moving to a new 5.26.x patch release:

    python tools/neo4j_lock.py 5.26.30

It needs ``mvn`` (users do not: ``patnav neo4j start`` fetches the locked jars with Python alone).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

#: the newest org.neo4j.client:neo4j-browser on Maven Central (later Browsers ship only inside the
#: server distributions); it talks Bolt to the 5.26 server
BROWSER = "5.24.0"

POM = """<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>patnav</groupId><artifactId>neo4j-runtime</artifactId><version>1</version><dependencies>
<dependency><groupId>org.neo4j</groupId><artifactId>neo4j</artifactId><version>{v}</version></dependency>
<dependency><groupId>org.neo4j.app</groupId><artifactId>neo4j-server</artifactId><version>{v}</version></dependency>
<dependency><groupId>org.neo4j.client</groupId><artifactId>neo4j-browser</artifactId><version>{b}</version></dependency>
</dependencies></project>"""


def main(version: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "pom.xml").write_text(POM.format(v=version, b=BROWSER))
        out = Path(tmp, "deps.txt")
        subprocess.run(["mvn", "-B", "-q", "dependency:resolve", "dependency:list", "-DincludeScope=runtime",
                        f"-DoutputFile={out}", "-DoutputAbsoluteArtifactFilename=true"], cwd=tmp, check=True)
        lines = []
        for raw in out.read_text().splitlines():
            parts = raw.strip().split(":")
            if len(parts) < 6 or parts[2] != "jar":
                continue
            group, artifact, _, *rest = parts
            classifier, ver = (rest[0], rest[1]) if len(rest) == 4 else ("", rest[0])
            path = Path(rest[-1])
            data = path.read_bytes()
            coord = f"{group}:{artifact}:{ver}" + (f":{classifier}" if classifier else "")
            group_tag = "browser " if group == "org.neo4j.client" else ""
            lines.append(f"{group_tag}{coord} {hashlib.sha256(data).hexdigest()} {len(data)}")
    lock = Path(__file__).resolve().parents[1] / "graph" / "neo4j.lock"
    header = (f"# Neo4j Community {version} server runtime from Maven Central (org.neo4j:neo4j + "
              f"org.neo4j.app:neo4j-server).\n# Written by tools/neo4j_lock.py; one jar a line: "
              f"[browser] group:artifact:version[:classifier] sha256 bytes\n"
              f"# (browser: fetched only for `patnav neo4j start --browser`)\nversion {version}\n")
    lines.sort(key=lambda line: (line.startswith("browser "), line))
    lock.write_text(header + "\n".join(lines) + "\n")
    print(f"{lock}: {len(lines)} jars")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "5.26.30")
