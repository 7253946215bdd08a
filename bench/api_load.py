"""API under load: concurrent clients on cached indicator endpoints of a real `patnav serve`.

Starts `patnav serve` on a free loopback port over a database (default: the demo's, made by `patnav demo`
when missing), asks every endpoint once (the tables are then computed and kept), then lets N clients
(threads, one keep-alive HTTP/1.1 connection each) send R requests each, round-robin over the endpoints, and
prints p50 / p95 / max latency and the errors per endpoint and overall. Bounded: N × R requests, loopback
only. The clients speak HTTP over a plain socket (status line, Content-Length, body read whole): a full
client library spends ~1 ms of CPU per request, which on this 2-core machine would measure the load
generator more than the server.

    python bench/api_load.py [--db patnav-out/db] [--clients 50] [--requests 40]

Target (issue 15): p95 ≤ 100 ms and 0 errors with 50 clients.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
ENDPOINTS = ["/api/indicators/top_applicants", "/api/indicators/direction_summary", "/api/indicators/control_power",
             "/api/indicators/concentration", "/api/indicators/trend", "/api/zones/110000/positioning/nodes",
             "/api/zones/110000/pathways/enterprises", "/api/zones/110000/plan", "/health"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1: GET, read the whole reply, return the status."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def get(self, path: str) -> int:
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        while b"\r\n\r\n" not in self.buf:
            self._more()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        length = next(int(v) for k, _, v in (h.partition(":") for h in lines[1:]) if k.lower() == "content-length")
        while len(self.buf) < length:
            self._more()
        self.buf = self.buf[length:]
        return int(lines[0].split()[1])

    def _more(self) -> None:
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buf += chunk

    def close(self) -> None:
        self.sock.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=ROOT / "patnav-out" / "db")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=40, help="requests per client")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "api_load.json")
    args = ap.parse_args()
    patnav = str(Path(sys.executable).with_name("patnav"))
    if not (args.db / "graph.lbdb").exists():
        subprocess.run([patnav, "demo", "--out", str(args.db.parent)], check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([patnav, "serve", "--db", str(args.db), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        t0 = time.perf_counter()
        for url in ENDPOINTS:  # computed once, then kept
            httpx.get(base + url, timeout=300).raise_for_status()
        warm = time.perf_counter() - t0
        latencies: dict[str, list[float]] = {u: [] for u in ENDPOINTS}
        errors: dict[str, int] = {u: 0 for u in ENDPOINTS}
        lock = threading.Lock()
        start = threading.Barrier(args.clients)

        def client(k: int) -> None:
            http = Connection(port)
            start.wait()
            for i in range(args.requests):
                url = ENDPOINTS[(k + i) % len(ENDPOINTS)]
                t = time.perf_counter()
                try:
                    ok = http.get(url) == 200
                except (OSError, ValueError, StopIteration):
                    ok, http = False, Connection(port)
                took = time.perf_counter() - t
                with lock:
                    latencies[url].append(took)
                    errors[url] += 0 if ok else 1
            http.close()

        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=30)

    def pct(xs: list[float], q: float) -> float:
        return statistics.quantiles(xs, n=100, method="inclusive")[q - 1] * 1000 if len(xs) > 1 else xs[0] * 1000

    rows = []
    print(f"{args.clients} clients × {args.requests} requests on {base} (warm-up of {len(ENDPOINTS)} endpoints "
          f"{warm:.1f} s)")
    print(f"{'endpoint':<44} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>6}")
    for url in ENDPOINTS:
        xs = latencies[url]
        rows.append({"endpoint": url, "n": len(xs), "p50_ms": round(pct(xs, 50), 1), "p95_ms": round(pct(xs, 95), 1),
                     "max_ms": round(max(xs) * 1000, 1), "errors": errors[url]})
        r = rows[-1]
        print(f"{url:<44} {r['n']:>5} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8} {r['errors']:>6}")
    every = [x for xs in latencies.values() for x in xs]
    total = {"clients": args.clients, "requests": len(every), "seconds": round(wall, 2),
             "per_s": round(len(every) / wall), "p50_ms": round(pct(every, 50), 1), "p95_ms": round(pct(every, 95), 1),
             "errors": sum(errors.values())}
    print(f"{'all':<44} {total['requests']:>5} {total['p50_ms']:>8} {total['p95_ms']:>8} "
          f"{'':>8} {total['errors']:>6}   ({total['per_s']} requests/s)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"total": total, "endpoints": rows}, indent=1))


if __name__ == "__main__":
    main()
