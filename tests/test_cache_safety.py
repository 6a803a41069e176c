"""The cache never harms the user (docs/cache.md, "What migsafe refuses"): it deletes nothing it did not write,
writes its .gitignore only into a folder it created, uses only a folder of the user's own that holds nothing
but its cache, and never unpickles a file this user's migsafe did not sign. Whatever it refuses, the review
runs, and its report is the one ``--no-cache`` gives."""

from __future__ import annotations

import grp
import os
import pickle
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import history_generator
from migsafe import cache as cache_module
from migsafe import cache_key
from migsafe.engine import ReviewOptions, review
from migsafe.reporters import renderer

_TEN_DAYS_AGO = time.time() - 10 * 24 * 3600
_TOOL_KEY = cache_module.tool_key()  # pinned: see tests/test_cache.py


@pytest.fixture(autouse=True)
def _setup(monkeypatch):
    monkeypatch.delenv("MIGSAFE_CACHE_DIR", raising=False)
    monkeypatch.setenv("MIGSAFE_JOBS", "1")
    monkeypatch.setattr(cache_module, "tool_key", lambda: _TOOL_KEY)


def project(tmp_path: Path) -> Path:
    """A small generated Alembic project (alembic.ini, migrations/env.py, migrations/versions)."""
    root = tmp_path / "project"
    history_generator().generate(root, 12, 5)
    return root


def reviewed(path: Path, cwd: Path, **options: object) -> str:
    report = review(ReviewOptions(paths=[path], cwd=cwd, **options))  # type: ignore[arg-type]
    return renderer("json")(report, color=False)


def migsafe(cwd: Path, *args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migsafe", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "MIGSAFE_JOBS": "1", **environment})


def tree(root: Path) -> dict[str, tuple[bool, bytes | None, float]]:
    """Every path under ``root``: whether a directory, its content, its mtime."""
    return {str(p.relative_to(root)): (p.is_dir(), None if p.is_dir() else p.read_bytes(), p.stat().st_mtime)
            for p in sorted(root.rglob("*"))}


def back_date(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        os.utime(path, (_TEN_DAYS_AGO, _TEN_DAYS_AGO))


def one_line(stderr: str, folder: Path, why: str) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("migsafe: ") and str(folder) in lines[0] and why in lines[0], lines[0]


# -- what is in the folder -------------------------------------------------------------------------------------

def test_a_folder_holding_other_files_is_neither_used_nor_cleaned(tmp_path, capsys):
    root = project(tmp_path)
    victim = tmp_path / "victim"
    (victim / "precious_old").mkdir(parents=True)
    (victim / "precious_old" / "file.txt").write_text("keep me\n")
    (victim / "0123456789abcdef0123456789abcdef").mkdir()  # named like a tool-key directory
    (victim / "0123456789abcdef0123456789abcdef" / "notes.txt").write_text("mine\n")
    back_date(victim)
    before = tree(victim)
    expected = reviewed(root, tmp_path, use_cache=False)
    capsys.readouterr()
    assert reviewed(root, tmp_path, cache_dir=Path("victim")) == expected
    one_line(capsys.readouterr().err, victim, "'precious_old', which migsafe did not write")
    assert tree(victim) == before  # nothing removed, nothing added (no .gitignore, no CACHEDIR.TAG)


def test_cache_dir_dot_in_pyproject_leaves_the_project_alone(tmp_path):
    root = project(tmp_path)
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("VALUE = 1\n")
    (root / "pyproject.toml").write_text('[tool.migsafe]\ncache-dir = "."\n')
    back_date(root)
    before = tree(root)
    expected = migsafe(tmp_path, "review", str(root), "--format", "json", "--no-cache")
    assert expected.returncode == 1 and expected.stderr == ""
    for _ in range(2):
        done = migsafe(tmp_path, "review", str(root), "--format", "json")
        assert (done.returncode, done.stdout) == (expected.returncode, expected.stdout)
        one_line(done.stderr, root, "it is the project's own folder")
    after = tree(root)
    compiled = {name for name in after if "__pycache__" in name}  # Python's, from importing the revisions
    assert {name: value for name, value in after.items() if name not in compiled} == before
    assert not (root / ".gitignore").exists() and not (root / "CACHEDIR.TAG").exists()


def test_a_folder_holding_the_versions_directory_is_refused(tmp_path, capsys):
    root = project(tmp_path)
    expected = reviewed(root, tmp_path, use_cache=False)
    capsys.readouterr()
    assert reviewed(root, tmp_path, cache_dir=root / "migrations") == expected
    one_line(capsys.readouterr().err, root / "migrations", "it holds the project's versions")
    assert not (root / "migrations" / ".gitignore").exists()


def test_an_existing_empty_folder_is_used_without_markers(tmp_path, capsys):
    root = project(tmp_path)
    folder = tmp_path / "empty"
    folder.mkdir(mode=0o700)
    expected = reviewed(root, tmp_path, use_cache=False)
    assert reviewed(root, tmp_path, cache_dir=folder) == expected
    assert reviewed(root, tmp_path, cache_dir=folder) == expected
    assert capsys.readouterr().err == ""
    assert sorted(p.name for p in folder.iterdir()) == [_TOOL_KEY]  # used; no .gitignore it did not create
    assert list((folder / _TOOL_KEY / "revisions").glob("*.pickle"))


def test_stale_directories_of_its_own_layout_are_removed_and_nothing_else(tmp_path, capsys):
    root = project(tmp_path)
    cache = tmp_path / "cache"
    expected = reviewed(root, tmp_path, cache_dir=cache)
    assert (cache / ".gitignore").is_file() and (cache / "CACHEDIR.TAG").is_file()  # it created this one
    old = cache / ("a" * 32)  # an old version's directory: migsafe's layout
    for sub in ("revisions", "snapshots"):
        (old / sub).mkdir(parents=True)
        (old / sub / f"{'b' * 32}.pickle").write_bytes(b"entry")
    (old / "history.pickle").write_bytes(b"history")
    foreign = cache / ("c" * 32)  # named like one, but holding something migsafe never writes
    (foreign / "revisions").mkdir(parents=True)
    (foreign / "revisions" / "thesis.tex").write_text("keep me\n")
    recent = cache / ("d" * 32)
    (recent / "revisions").mkdir(parents=True)
    for path in (old, foreign):
        back_date(path)
    assert reviewed(root, tmp_path, cache_dir=cache) == expected
    assert capsys.readouterr().err == ""
    assert not old.exists()
    assert (foreign / "revisions" / "thesis.tex").read_text() == "keep me\n"
    assert recent.is_dir()


# -- who owns the folder ---------------------------------------------------------------------------------------

def test_a_folder_others_can_write_is_refused(tmp_path, capsys):
    root = project(tmp_path)
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chown(folder, -1, _shared_group())
    folder.chmod(0o770)
    expected = reviewed(root, tmp_path, use_cache=False)
    capsys.readouterr()
    assert reviewed(root, tmp_path, cache_dir=folder) == expected
    one_line(capsys.readouterr().err, folder, "other users can write to it (mode 770)")
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_a_folder_or_link_owned_by_another_user_is_refused(tmp_path, capsys):
    root = project(tmp_path)
    nobody = pwd.getpwnam("nobody").pw_uid
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o755)
    os.chown(folder, nobody, -1)
    expected = reviewed(root, tmp_path, use_cache=False)
    capsys.readouterr()
    assert reviewed(root, tmp_path, cache_dir=folder) == expected
    one_line(capsys.readouterr().err, folder, f"it belongs to another user (uid {nobody})")
    assert list(folder.iterdir()) == []
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(mine)
    os.lchown(link, nobody, -1)
    assert reviewed(root, tmp_path, cache_dir=link) == expected
    one_line(capsys.readouterr().err, link, "a symbolic link owned by another user")
    assert list(mine.iterdir()) == []
    # A folder of mine in a folder of theirs: they could swap it for a link once it was checked.
    theirs = tmp_path / "their-parent"
    theirs.mkdir(mode=0o755)
    (theirs / "cache").mkdir(mode=0o700)
    os.chown(theirs, nobody, -1)
    assert reviewed(root, tmp_path, cache_dir=theirs / "cache") == expected
    one_line(capsys.readouterr().err, theirs / "cache", f"its parent folder {theirs} belongs to another user")
    assert list((theirs / "cache").iterdir()) == []


def test_a_folder_in_a_folder_others_can_write_needs_a_sticky_parent(tmp_path, capsys):
    root = project(tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    expected = reviewed(root, tmp_path, use_cache=False)
    capsys.readouterr()
    for mode, group in ((0o777, -1), (0o770, _shared_group())):
        os.chown(shared, -1, group)
        shared.chmod(mode)
        assert reviewed(root, tmp_path, cache_dir=shared / "cache") == expected
        one_line(capsys.readouterr().err, shared / "cache", "(and it is not sticky)")
        assert list(shared.iterdir()) == []
    os.chown(shared, -1, os.getegid())
    if grp.getgrgid(os.getegid()).gr_name == pwd.getpwuid(os.geteuid()).pw_name:
        # Group-writable by the user's own group (umask 002): nobody else can write to it.
        assert reviewed(root, tmp_path, cache_dir=shared / "cache") == expected
        assert capsys.readouterr().err == ""
    shutil.rmtree(shared / "cache", ignore_errors=True)
    shared.chmod(0o1777)  # like /tmp: others cannot rename what is not theirs
    assert reviewed(root, tmp_path, cache_dir=shared / "cache") == expected
    assert capsys.readouterr().err == "" and (shared / "cache" / _TOOL_KEY).is_dir()


def _shared_group() -> int:
    """A group that is not the user's own (what a group-writable folder shares with others)."""
    mine = pwd.getpwuid(os.geteuid()).pw_name
    for name in ("users", "nogroup", "staff", "daemon"):
        try:
            group = grp.getgrnam(name)
        except KeyError:
            continue
        if name != mine and (os.geteuid() == 0 or group.gr_gid in os.getgroups()):
            return group.gr_gid
    pytest.skip("no shared group to chown to")


# -- what is in the entries --------------------------------------------------------------------------------------

class _Payload:
    """Unpickling this creates ``marker``: what a planted cache file would do, with any code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def _plant(directory: Path, marker: Path, signed_like: bool) -> int:
    """Replace every cache file with the payload (with a made-up tag in front when ``signed_like``)."""
    payload = pickle.dumps(_Payload(marker))
    files = [directory / "history.pickle", *directory.glob("revisions/*.pickle"), *directory.glob("snapshots/*.pickle")]
    for path in files:
        path.write_bytes((os.urandom(cache_key.TAG_SIZE) if signed_like else b"") + payload)
    return len(files)


@pytest.mark.parametrize("signed_like", [False, True])
def test_a_planted_file_is_never_unpickled(tmp_path, capsys, signed_like):
    root = project(tmp_path)
    cache = tmp_path / "cache"
    marker = tmp_path / "pwned"
    expected = reviewed(root, tmp_path, use_cache=False)
    assert reviewed(root, tmp_path, cache_dir=cache) == expected
    assert _plant(cache / _TOOL_KEY, marker, signed_like) > 12
    capsys.readouterr()
    assert reviewed(root, tmp_path, cache_dir=cache) == expected  # a whole review: history, snapshot, entries
    assert not marker.exists()
    one_line(capsys.readouterr().err, cache / _TOOL_KEY, "that this user's migsafe did not write")
    one = next(root.joinpath("migrations", "versions").glob("*.py"))
    _plant(cache / _TOOL_KEY, marker, signed_like)
    assert reviewed(one, tmp_path, cache_dir=cache) == reviewed(one, tmp_path, use_cache=False)  # one file
    assert not marker.exists()
    one_line(capsys.readouterr().err, cache / _TOOL_KEY, "that this user's migsafe did not write")
    assert reviewed(root, tmp_path, cache_dir=cache) == expected  # rewritten: signed again, read quietly
    assert not marker.exists() and capsys.readouterr().err == ""


def test_a_planted_file_is_not_unpickled_by_baseline(tmp_path):
    """`migsafe baseline` (and `replay`) plan through the same cache: a warm run that executes no revision."""
    root = project(tmp_path)
    marker = tmp_path / "pwned"
    first = migsafe(tmp_path, "baseline", str(root), "-o", str(tmp_path / "first.json"))
    assert first.returncode == 0, first.stderr
    [default] = [path for path in (root / "migrations" / ".migsafe_cache").iterdir() if path.is_dir()]
    _plant(default, marker, signed_like=True)
    done = migsafe(tmp_path, "baseline", str(root), "-o", str(tmp_path / "second.json"))
    assert done.returncode == 0 and not marker.exists()
    one_line(done.stderr, default, "that this user's migsafe did not write")
    assert (tmp_path / "second.json").read_text() == (tmp_path / "first.json").read_text()


def test_a_planted_entry_read_lazily_after_a_snapshot_is_not_unpickled(tmp_path, capsys):
    """A warm one-file review takes the history from a snapshot and reads an entry's recording only when a
    rule asks: that late read is checked too."""
    root = project(tmp_path)
    cache = tmp_path / "cache"
    marker = tmp_path / "pwned"
    head = max((root / "migrations" / "versions").glob("*.py"), key=lambda p: p.stat().st_mtime_ns)
    expected = reviewed(root, tmp_path, use_cache=False)
    expected_one = reviewed(head, tmp_path, use_cache=False)
    assert reviewed(root, tmp_path, cache_dir=cache) == expected
    payload = os.urandom(cache_key.TAG_SIZE) + pickle.dumps(_Payload(marker))
    for path in (cache / _TOOL_KEY).glob("revisions/*.pickle"):
        path.write_bytes(payload)
    capsys.readouterr()
    assert reviewed(head, tmp_path, cache_dir=cache) == expected_one
    assert not marker.exists()
    one_line(capsys.readouterr().err, cache / _TOOL_KEY, "that this user's migsafe did not write")


def test_entries_of_another_user_are_not_trusted(tmp_path):
    """Two users (two key homes) sharing a folder they may both use: each distrusts the other's entries."""
    root = project(tmp_path)
    cache = tmp_path / "cache"
    counter = tmp_path / "executed.txt"
    for path in (root / "migrations" / "versions").glob("*.py"):
        with path.open("a") as stream:
            stream.write(f"\nopen({str(counter)!r}, 'a').write(revision + '\\n')\n")
    alice = {"XDG_CACHE_HOME": str(tmp_path / "alice")}
    bob = {"XDG_CACHE_HOME": str(tmp_path / "bob")}
    first = migsafe(tmp_path, "review", str(root), "--format", "json", "--cache-dir", str(cache), **alice)
    assert first.stderr == "" and len(counter.read_text().split()) == 12
    counter.unlink()
    other = migsafe(tmp_path, "review", str(root), "--format", "json", "--cache-dir", str(cache), **bob)
    assert other.stdout == first.stdout and len(counter.read_text().split()) == 12  # all recorded again
    one_line(other.stderr, cache, "that this user's migsafe did not write")
    key = tmp_path / "bob" / "migsafe" / "key"
    assert key.stat().st_mode & 0o777 == 0o600 and key.parent.stat().st_mode & 0o777 == 0o700


def test_a_ci_secret_key_keeps_restored_entries_usable(tmp_path):
    """actions/cache: entries written by an earlier job (another machine, another key home) with the same
    $MIGSAFE_CACHE_KEY are used; with another secret they are not."""
    root = project(tmp_path)
    cache = tmp_path / "cache"
    secret = {"MIGSAFE_CACHE_KEY": "s3cret-from-the-ci-settings"}
    first = migsafe(tmp_path, "review", str(root), "--format", "json", "--cache-dir", str(cache),
                    XDG_CACHE_HOME=str(tmp_path / "job1"), **secret)
    assert first.stderr == ""
    assert not (tmp_path / "job1").exists()  # no key file with a secret
    again = migsafe(tmp_path, "review", str(root), "--format", "json", "--cache-dir", str(cache),
                    XDG_CACHE_HOME=str(tmp_path / "job2"), **secret)
    assert (again.stdout, again.stderr) == (first.stdout, "")
    other = migsafe(tmp_path, "review", str(root), "--format", "json", "--cache-dir", str(cache),
                    MIGSAFE_CACHE_KEY="another-secret-entirely")
    assert other.stdout == first.stdout
    one_line(other.stderr, cache, "that this user's migsafe did not write")
    short = migsafe(tmp_path, "review", str(root), "--format", "json", "--cache-dir", str(cache),
                    MIGSAFE_CACHE_KEY="short")
    assert short.stdout == first.stdout
    one_line(short.stderr, cache, "$MIGSAFE_CACHE_KEY is shorter than 16 characters")


def test_an_unusable_key_home_means_no_cache(tmp_path, capsys, monkeypatch):
    root = project(tmp_path)
    expected = reviewed(root, tmp_path, use_cache=False)
    home = tmp_path / "home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    (home / "migsafe").mkdir(parents=True)
    target = tmp_path / "elsewhere"
    target.write_text("a" * 64 + "\n")
    target.chmod(0o600)
    (home / "migsafe" / "key").symlink_to(target)  # never read through a link
    capsys.readouterr()
    assert reviewed(root, tmp_path, cache_dir=Path("cache")) == expected
    one_line(capsys.readouterr().err, tmp_path / "cache", "cannot read the cache key")
    assert not (tmp_path / "cache").exists()
    (home / "migsafe" / "key").unlink()
    (home / "migsafe" / "key").write_text("b" * 64 + "\n")
    (home / "migsafe" / "key").chmod(0o644)
    assert reviewed(root, tmp_path, cache_dir=Path("cache")) == expected
    one_line(capsys.readouterr().err, tmp_path / "cache", "can be read by other users")
    monkeypatch.setenv("XDG_CACHE_HOME", str(target / "below-a-file"))  # a key home that cannot be created
    assert reviewed(root, tmp_path, cache_dir=Path("cache")) == expected
    one_line(capsys.readouterr().err, tmp_path / "cache", "cannot create the cache key directory")
    assert not (tmp_path / "cache").exists()


# -- temporary files ------------------------------------------------------------------------------------------

def test_temporary_files_of_dead_runs_are_removed_and_of_live_runs_kept(tmp_path):
    root = project(tmp_path)
    cache = tmp_path / "cache"
    expected = reviewed(root, tmp_path, cache_dir=cache)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        places = [cache, cache / _TOOL_KEY, cache / _TOOL_KEY / "revisions", cache / _TOOL_KEY / "snapshots"]
        for place in places:
            (place / f".tmp-{dead}-1-{'e' * 32}.pickle").write_bytes(b"killed")
            (place / f".tmp-{live.pid}-1-{'f' * 32}.pickle").write_bytes(b"in flight")
            old = place / f".tmp-{live.pid}-2-{'0' * 32}.pickle"
            old.write_bytes(b"a live pid, but two hours old: a reused pid")
            os.utime(old, (time.time() - 7200, time.time() - 7200))
        assert reviewed(root, tmp_path, cache_dir=cache) == expected
        for place in places:
            assert sorted(p.name for p in place.glob(".tmp-*")) == [f".tmp-{live.pid}-1-{'f' * 32}.pickle"], place
    finally:
        live.kill()
        live.wait()
