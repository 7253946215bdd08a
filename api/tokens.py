"""API tokens: what `POST /api/cypher` (and anything that is not public read) asks for.

``patnav token create NAME`` prints a new random token once; only its SHA-256 is kept, in
``PATNAV_HOME/tokens.json`` (mode 0600), beside when it was made and, after ``patnav token revoke NAME``,
when it was revoked. A request sends ``Authorization: Bearer <token>``. The server re-reads the file when
it changes, so a revoke takes effect at once; tokens are never written to logs or error messages.
A per-token sliding window limits requests a minute (``PATNAV_API_RATE``).
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from pathlib import Path

from ontology.errors import PatNavError

PREFIX = "pnv_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Tokens:
    """The token file of one PATNAV_HOME."""

    def __init__(self, home: Path) -> None:
        self.path = Path(home) / "tokens.json"
        self._cache: tuple[tuple | None, dict] = (None, {})
        self._lock = threading.Lock()

    def _read(self) -> dict:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return {}
        key = (st.st_mtime_ns, st.st_size)
        with self._lock:
            if self._cache[0] != key:
                try:
                    data = json.loads(self.path.read_text(encoding="utf-8"))
                    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
                        raise ValueError("not a map of token names to entries")
                    self._cache = (key, data)
                except (OSError, ValueError) as exc:
                    raise PatNavError(f"{self.path} is not a token file PatNav wrote ({exc}); move it away and "
                                      f"create the tokens again with `patnav token create NAME`") from None
            return self._cache[1]

    def _write(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".tmp{os.getpid()}")
        tmp.unlink(missing_ok=True)  # never inherit a leftover file's mode
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, ensure_ascii=False)
        tmp.replace(self.path)

    @contextlib.contextmanager
    def _locked(self):
        """One writer at a time across processes (a revoke is never lost to a create running beside it)."""
        import fcntl
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                self._cache = (None, {})
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def create(self, name: str) -> str:
        """A new token for ``name`` (printed once, stored hashed); an active name is refused."""
        if not _NAME.match(name):
            raise PatNavError(f"token name {name!r}: use 1–64 letters, digits, '_', '.', '@' or '-'")
        with self._locked():
            return self._create(name)

    def _create(self, name: str) -> str:
        data = dict(self._read())
        if name in data and not data[name].get("revoked"):
            raise PatNavError(f"a token named {name!r} exists; revoke it first (`patnav token revoke {name}`) "
                              f"or choose another name")
        token = PREFIX + secrets.token_urlsafe(32)
        data[name] = {"sha256": _digest(token), "created": _now(), "revoked": None}
        self._write(data)
        return token

    def revoke(self, name: str) -> bool:
        """Revoke ``name``; False if there is no active token of that name."""
        with self._locked():
            return self._revoke(name)

    def _revoke(self, name: str) -> bool:
        data = dict(self._read())
        if name not in data or data[name].get("revoked"):
            return False
        data[name] = {**data[name], "revoked": _now()}
        self._write(data)
        return True

    def names(self) -> list[dict]:
        return [{"name": k, "created": v.get("created"), "revoked": v.get("revoked")} for k, v in self._read().items()]

    def check(self, token: str) -> tuple[str, str | None]:
        """("ok", name), ("revoked", name) or ("unknown", None) for a presented token."""
        digest = _digest(token)
        for name, entry in self._read().items():
            if hmac.compare_digest(entry.get("sha256", ""), digest):
                return ("revoked" if entry.get("revoked") else "ok"), name
        return "unknown", None


class RateLimit:
    """At most ``per_minute`` requests per token name in any 60 seconds."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, collections.deque] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()

    def wait(self, name: str, now: float | None = None) -> float:
        """0 if the request may go now (and count it), else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            seen = self._seen[name]
            while seen and seen[0] <= now - 60:
                seen.popleft()
            if len(seen) >= self.per_minute:
                return max(0.001, seen[0] + 60 - now)
            seen.append(now)
            return 0.0


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
