"""An authenticated store of JSON entries on disk: the cell cache's and the figures' storage.

An entry is a JSON document, never a pickle: reading one back cannot run code. It holds an
*identity* (what the entry is for, including the fingerprint of the code that made it:
:mod:`shiftbench.fingerprint`), a payload, and an HMAC of both under a secret kept in the
store's folder. An entry is used only when it parses, its HMAC verifies and its identity is
exactly the one asked for; anything else (a damaged file, a file copied under another key or
from another store, an edited value, an entry of other code) is a miss, never an error.

Layout: ``ROOT/key`` (the secret, owner-only), and ``ROOT/KIND/FINGERPRINT/xx/KEY.json`` where
FINGERPRINT names the code that made the entries (described by ``fingerprint.json`` in its
folder), so that entries can be counted by fingerprint (:meth:`Store.info`) and the folders of
code that is no longer installed removed (:meth:`Store.prune`).

What the key defends against, and what not (docs/engine.md, "The cache's threat model"): an entry
planted, edited or copied from another store by anyone who cannot read ``ROOT/key`` is not
trusted; a key file that others can read or that another user owns is refused (the store is not
used). Anyone who can read the key (the same user, root) can forge entries, and anyone who can
write the folder can delete them: the store is not a defence against its own user.

The store is best-effort: when its folder cannot be created or written (read-only, full, a file
in the way), it warns once and is not used. Entries are written atomically (a temporary file,
then a rename).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import stat
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shiftbench.errors import ShiftbenchWarning
from shiftbench.fingerprint import fingerprint_id, stale_reason

#: Bumped whenever the entry layout changes; older entries are then misses (and stale).
CACHE_FORMAT = 3
#: The secret that authenticates entries, in the store's folder.
KEY_FILE = "key"
#: The description of a fingerprint folder.
FINGERPRINT_FILE = "fingerprint.json"
#: What is stored: cells (the engine's cache), and the reports' figures.
KINDS: tuple[str, ...] = ("cells", "figures")
#: Entries larger than this are not read (a planted giant file is a miss, not a memory error).
MAX_ENTRY_BYTES = 256 * 1024 * 1024


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces: the text an identity is hashed and signed as."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=True)


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return repr(value)


@dataclass(frozen=True)
class FingerprintEntries:
    """What ``shiftbench cache info`` shows of one folder: the code behind its entries, how
    many there are and their size, and whether the installed code would still produce them."""

    kind: str
    fingerprint: str
    entries: int
    size_bytes: int
    #: None when current; else why the entries can no longer be used
    stale: str | None
    path: Path


_FINGERPRINT_NAME = re.compile(r"[0-9a-f]{16}")
_KEY_TEXT = re.compile(r"[0-9a-f]{64}")


class Store:
    """A folder of JSON entries, one file per key, authenticated by the folder's secret; every
    failure to read is a miss and every failure to write is a warning, once."""

    def __init__(self, root: str | Path, *, warn: Callable[[str], None] | None = None) -> None:
        self.root = Path(root)
        self.writable = True
        self._warn = warn or (lambda text: warnings.warn(text, ShiftbenchWarning, stacklevel=3))
        self._secret: bytes | None = None
        self._secret_loaded = False
        self._described: set[Path] = set()

    # -- the secret ------------------------------------------------------------------------------
    def _key(self) -> bytes | None:
        """The secret that authenticates entries (created owner-only at first use), or None
        when it cannot be made or is not private: then the cache is not used at all."""
        if not self._secret_loaded:
            self._secret_loaded = True
            self._secret = self._load_key()
            if self._secret is None:
                self.writable = False
        return self._secret

    def _load_key(self) -> bytes | None:
        path = self.root / KEY_FILE
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                self._create_key(path)
                info = os.lstat(path)
        except OSError as exc:
            self._warn(
                f"cache {self.root}: cannot write ({exc.strerror or exc}); going on without it"
            )
            return None
        problem = _key_problem(info)
        if problem is None:
            try:
                text = path.read_text(encoding="ascii").strip()
            except (OSError, UnicodeDecodeError):
                text = ""
            if _KEY_TEXT.fullmatch(text):
                return bytes.fromhex(text)
            problem = "is damaged"
        self._warn(
            f"cache {self.root}: the key file {path} {problem}; going on without the cache "
            "(delete the file to start a new cache: every cell is then computed again)"
        )
        return None

    @staticmethod
    def _create_key(path: Path) -> None:
        """Write a new secret owner-only; where another process made one first, keep theirs."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32) + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)  # atomic, and never over an existing key
        finally:
            tmp.unlink(missing_ok=True)

    def _mac(self, body: Any) -> str | None:
        secret = self._key()
        if secret is None:
            return None
        return hmac.new(secret, canonical(body).encode("utf-8"), hashlib.sha256).hexdigest()

    def _verified(self, entry: Any, body: dict[str, Any]) -> bool:
        expected = self._mac(body)
        given = entry.get("hmac") if isinstance(entry, dict) else None
        return (
            expected is not None and isinstance(given, str) and hmac.compare_digest(expected, given)
        )

    # -- entries ---------------------------------------------------------------------------------
    def _folder(self, kind: str, identity: dict[str, Any]) -> Path:
        if kind not in KINDS:
            raise ValueError(f"not a cache kind: {kind!r}")
        return self.root / kind / fingerprint_id(identity.get("code", {}))

    def _path(self, kind: str, key: str, identity: dict[str, Any]) -> Path:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"not a cache key: {key!r}")
        return self._folder(kind, identity) / key[:2] / f"{key}.json"

    def _read(self, kind: str, key: str, identity: dict[str, Any]) -> Any | None:
        """The payload stored under ``key`` if the entry is whole, authentic and is for
        ``identity``."""
        try:
            path = self._path(kind, key, identity)
            if not path.is_file() or path.stat().st_size > MAX_ENTRY_BYTES:
                return None
            entry = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(entry, dict) or entry.get("format") != CACHE_FORMAT:
                return None
            body = {"identity": entry.get("identity"), "payload": entry.get("payload")}
            if not self._verified(entry, body):
                return None
            if canonical(body["identity"]) != canonical(identity):
                return None
            return body["payload"]
        except Exception:
            return None

    def _write(self, kind: str, key: str, identity: dict[str, Any], payload: Any) -> None:
        if not self.writable:
            return
        body = json.loads(
            json.dumps({"identity": identity, "payload": payload}, default=_json_default)
        )
        mac = self._mac(body)
        if mac is None:
            return
        path = self._path(kind, key, identity)
        try:
            self._describe(path.parent.parent, kind, identity.get("code", {}))
            self._write_file(path, {"format": CACHE_FORMAT, "hmac": mac, **body})
        except OSError as exc:
            self.writable = False
            self._warn(
                f"cache {self.root}: cannot write ({exc.strerror or exc}); going on without it"
            )

    def _describe(self, folder: Path, kind: str, code: Any) -> None:
        """Write a fingerprint folder's ``fingerprint.json`` (once per process)."""
        if folder in self._described:
            return
        body = {"kind": kind, "code": code}
        self._write_file(
            folder / FINGERPRINT_FILE, {"format": CACHE_FORMAT, "hmac": self._mac(body), **body}
        )
        self._described.add(folder)

    @staticmethod
    def _write_file(path: Path, data: dict[str, Any]) -> None:
        text = json.dumps(data, sort_keys=True, allow_nan=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

    def get_text(self, kind: str, key: str, identity: dict[str, Any]) -> str | None:
        """A stored text (a figure) for this key and identity, or None."""
        payload = self._read(kind, key, identity)
        return payload if isinstance(payload, str) else None

    def put_text(self, kind: str, key: str, identity: dict[str, Any], text: str) -> None:
        self._write(kind, key, identity, text)

    # -- housekeeping ----------------------------------------------------------------------------
    def info(self) -> list[FingerprintEntries]:
        """Every folder of entries with its count, size and whether it is stale; folders of
        older cache formats, and ones whose description does not verify, are stale."""
        out: list[FingerprintEntries] = []
        for kind in KINDS:
            base = self.root / kind
            if not base.is_dir() or base.is_symlink():
                continue
            for folder in sorted(base.iterdir()):
                if not folder.is_dir() or folder.is_symlink():
                    continue
                entries, size = _count(folder)
                out.append(
                    FingerprintEntries(
                        kind, folder.name, entries, size, self._staleness(folder, kind), folder
                    )
                )
        return out

    def _staleness(self, folder: Path, kind: str) -> str | None:
        if not _FINGERPRINT_NAME.fullmatch(folder.name):
            return "an older cache format"
        try:
            described = json.loads((folder / FINGERPRINT_FILE).read_text(encoding="utf-8"))
            body = {"kind": described.get("kind"), "code": described.get("code")}
        except (OSError, ValueError, AttributeError, RecursionError):
            return "no readable fingerprint.json"
        if described.get("format") != CACHE_FORMAT:
            return "an older cache format"
        if body["kind"] != kind or not self._verified(described, body):
            return "fingerprint.json does not verify"
        if fingerprint_id(body["code"]) != folder.name:
            return "fingerprint.json is for another folder"
        return stale_reason(body["code"])

    def prune(self, *, dry_run: bool = False) -> list[FingerprintEntries]:
        """Remove every stale folder (see :meth:`info`) and leftover temporary files; return
        what was (or, with ``dry_run``, would be) removed."""
        stale = [f for f in self.info() if f.stale is not None]
        if dry_run:
            return stale
        for folder in stale:
            shutil.rmtree(folder.path, ignore_errors=True)
        for kind in KINDS:
            base = self.root / kind
            if base.is_dir() and not base.is_symlink():
                for tmp in base.rglob(".*.tmp"):
                    with contextlib.suppress(OSError):
                        tmp.unlink()
        return stale


def _count(folder: Path) -> tuple[int, int]:
    """Entries (JSON files other than the description) and bytes under a folder."""
    entries = size = 0
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        size += path.stat().st_size
        if path.suffix == ".json" and path.name != FINGERPRINT_FILE:
            entries += 1
    return entries, size


def _key_problem(info: os.stat_result) -> str | None:
    """Why a key file cannot be trusted: not a plain file, another owner, readable by others."""
    if not stat.S_ISREG(info.st_mode):
        return "is not a plain file"
    getuid = getattr(os, "getuid", None)
    if getuid is not None and info.st_uid != getuid():
        return f"belongs to another user (uid {info.st_uid})"
    if os.name == "posix" and info.st_mode & 0o077:
        return f"can be read or written by others (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def figure_store(root: str | Path | None) -> Store | None:
    """The store the reports keep their figures in (in the cell cache's folder), silent when it
    cannot be written (a report never warns about its figure cache); None without a folder."""
    return None if root is None else Store(root, warn=lambda _: None)
