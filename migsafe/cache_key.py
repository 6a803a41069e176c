"""The per-user key that signs cache entries.

Cache entries are pickles, and unpickling runs whatever code the bytes name. An entry is therefore unpickled
only when it carries an HMAC-SHA256 tag made with this key: one this user's migsafe wrote. A file planted in
the cache folder by another user, or committed to the repository, has no valid tag and is never unpickled.

The key is ``$MIGSAFE_CACHE_KEY`` when set (a CI secret: entries restored by ``actions/cache`` were signed by
an earlier job, on another machine, with the same secret), else 32 random bytes kept in
``$XDG_CACHE_HOME/migsafe/key`` (default ``~/.cache/migsafe/key``): created 0600 in a 0700 directory, never
through a symbolic link, and refused when another user owns it or could read it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from migsafe.cache_folder import others_can_write, owned

KEY_ENVIRONMENT = "MIGSAFE_CACHE_KEY"
TAG_SIZE = 32  # bytes of HMAC-SHA256 before every entry
_MINIMUM_SECRET = 16  # characters of $MIGSAFE_CACHE_KEY: shorter ones can be guessed
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

_loaded: dict[tuple[str | None, Path], bytes] = {}


class KeyUnavailable(Exception):
    """No key can be had: the review runs without the cache. The message is one line, naming the file."""


def key_home() -> Path:
    """Where the key file lives: the user's own cache home, never the project."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    home = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return home / "migsafe"


def load_key() -> bytes:
    """The key to sign and check entries with (read once per process)."""
    secret = os.environ.get(KEY_ENVIRONMENT) or None
    home = key_home()
    memo = (secret, home)
    if memo not in _loaded:
        if secret is not None:
            if len(secret) < _MINIMUM_SECRET:
                raise KeyUnavailable(f"${KEY_ENVIRONMENT} is shorter than {_MINIMUM_SECRET} characters")
            _loaded[memo] = hashlib.sha256(b"migsafe cache key\x00" + secret.encode("utf-8", "surrogatepass")).digest()
        else:
            _loaded[memo] = _key_file(home)
    return _loaded[memo]


def sign(key: bytes, name: str, data: bytes) -> bytes:
    """The tag of an entry: its name inside the cache is signed too, so that one entry cannot stand in for
    another."""
    mac = hmac.new(key, name.encode("utf-8", "surrogatepass") + b"\x00", hashlib.sha256)
    mac.update(data)
    return mac.digest()


def verify(key: bytes, name: str, signed: bytes) -> bytes | None:
    """The entry's bytes when ``signed`` (tag + bytes) carries this key's tag, else None."""
    if len(signed) < TAG_SIZE:
        return None
    view = memoryview(signed)
    if not hmac.compare_digest(sign(key, name, view[TAG_SIZE:]), view[:TAG_SIZE]):
        return None
    return signed[TAG_SIZE:]


def _key_file(home: Path) -> bytes:
    _private_directory(home)
    path = home / "key"
    for _ in range(2):
        try:
            return _read_key(path)
        except FileNotFoundError:
            _create_key(path)
    return _read_key(path)


def _private_directory(home: Path) -> None:
    """``home`` exists, is a real directory of this user, and no one else can add or replace files in it."""
    try:
        home.parent.mkdir(parents=True, exist_ok=True)
        home.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(home)
    except OSError as exc:
        raise KeyUnavailable(f"cannot create the cache key directory {home}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise KeyUnavailable(f"the cache key directory {home} is not a directory (a symbolic link?)")
    if not owned(info):
        raise KeyUnavailable(f"the cache key directory {home} belongs to another user (uid {info.st_uid})")
    if others_can_write(info):
        raise KeyUnavailable(f"the cache key directory {home} is writable by other users (chmod 700 it)")


def _read_key(path: Path) -> bytes:
    try:
        descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise KeyUnavailable(f"cannot read the cache key {path}: {exc.strerror or exc}") from None
    with open(descriptor, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise KeyUnavailable(f"the cache key {path} is not a regular file")
        if not owned(info):
            raise KeyUnavailable(f"the cache key {path} belongs to another user (uid {info.st_uid})")
        if hasattr(os, "geteuid") and info.st_mode & 0o077:
            raise KeyUnavailable(f"the cache key {path} can be read by other users (chmod 600 it)")
        text = stream.read(200).strip()
    try:
        key = bytes.fromhex(text.decode("ascii"))
    except ValueError:
        key = b""
    if len(key) < 32:
        raise KeyUnavailable(f"the cache key {path} is damaged (delete it: a new one is made)")
    return key


def _create_key(path: Path) -> None:
    """Write a new key under a private name, then link it into place: link() never replaces a file, so two
    runs starting at once agree on one key, and no run ever reads half of one."""
    temporary = path.with_name(f".key-{os.getpid()}-{secrets.token_hex(8)}")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600)
        try:
            os.write(descriptor, (secrets.token_hex(32) + "\n").encode("ascii"))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another run made it first: use theirs
    except OSError as exc:
        raise KeyUnavailable(f"cannot create the cache key {path}: {exc.strerror or exc}") from None
    finally:
        try:
            os.unlink(temporary)
        except OSError:
            pass
