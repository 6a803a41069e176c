"""Check a release before it is published: the tag, the built distributions and CHANGELOG.md must agree.

Run by .github/workflows/release.yml after `python -m build`, before anything is uploaded:

    python .github/scripts/release_check.py "$TAG" dist/

The version is read from the built wheel and sdist (their METADATA / PKG-INFO), not from the source tree:
that is the version PyPI will show, whatever pyproject.toml's version source says (hatch reads
``migsafe/__init__.py``). The tag must be ``v`` + that version, CHANGELOG.md must have a section for it,
and the two distributions must carry the same version.

It writes ``version=...`` and ``major_tag=...`` (``v1`` for 1.x.y; empty for 0.x and pre-releases, which
move no tag: see docs/releasing.md) to ``$GITHUB_OUTPUT`` when set, else to standard output. Any problem is
one line on standard error and exit code 1. Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import email.parser
import os
import re
import sys
import tarfile
import zipfile
from pathlib import Path

DISTRIBUTION = "alembic-migsafe"
# PEP 440 versions this project uses: X.Y.Z with an optional pre-release (rc1, a1, b2) or .postN / .devN.
VERSION = re.compile(r"(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
                     r"(?P<pre>(a|b|rc)(0|[1-9]\d*))?(?P<post>\.post(0|[1-9]\d*))?(?P<dev>\.dev(0|[1-9]\d*))?")


class ReleaseError(Exception):
    """What is wrong with the release, in one line."""


def version_of_tag(tag: str) -> str:
    if not tag.startswith("v") or not VERSION.fullmatch(tag[1:]):
        raise ReleaseError(f"tag {tag!r} is not a release tag: expected v<version>, such as v0.1.0 or v1.2.0rc1")
    return tag[1:]


def major_tag(version: str) -> str:
    """The moving tag this release updates: ``v<major>`` from 1.0.0 on; none for 0.x (where a minor release
    may break things, so a moving ``v0`` would too) or for pre-releases and dev releases."""
    match = VERSION.fullmatch(version)
    if match is None:
        raise ReleaseError(f"not a release version: {version!r}")
    if match["major"] == "0" or match["pre"] or match["dev"]:
        return ""
    return f"v{match['major']}"


def _metadata_version(text: str, where: str) -> str:
    message = email.parser.Parser().parsestr(text, headersonly=True)
    name, version = message.get("Name"), message.get("Version")
    if name is None or version is None:
        raise ReleaseError(f"{where}: no Name or Version in its metadata")
    if re.sub(r"[-_.]+", "-", name).lower() != DISTRIBUTION:
        raise ReleaseError(f"{where}: the distribution is {name!r}, not {DISTRIBUTION!r}")
    return version


def wheel_version(path: Path) -> str:
    with zipfile.ZipFile(path) as wheel:
        names = [n for n in wheel.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        if len(names) != 1:
            raise ReleaseError(f"{path.name}: expected one .dist-info/METADATA, found {len(names)}")
        return _metadata_version(wheel.read(names[0]).decode("utf-8"), path.name)


def sdist_version(path: Path) -> str:
    with tarfile.open(path, "r:gz") as sdist:
        members = [m for m in sdist.getmembers() if re.fullmatch(r"[^/]+/PKG-INFO", m.name)]
        if len(members) != 1:
            raise ReleaseError(f"{path.name}: expected one top-level PKG-INFO, found {len(members)}")
        handle = sdist.extractfile(members[0])
        if handle is None:
            raise ReleaseError(f"{path.name}: PKG-INFO is not a file")
        return _metadata_version(handle.read().decode("utf-8"), path.name)


def built_version(dist: Path) -> str:
    """The version both distributions in ``dist`` carry (exactly one wheel and one sdist)."""
    wheels = sorted(dist.glob("*.whl"))
    sdists = sorted(dist.glob("*.tar.gz"))
    others = sorted(p.name for p in dist.iterdir() if p not in (*wheels, *sdists)) if dist.is_dir() else []
    if len(wheels) != 1 or len(sdists) != 1 or others:
        found = ", ".join(p.name for p in (*wheels, *sdists)) or "nothing"
        raise ReleaseError(f"{dist}: expected one wheel and one sdist, found {found}"
                           + (f" and {', '.join(others)}" if others else ""))
    versions = {wheel_version(wheels[0]), sdist_version(sdists[0])}
    if len(versions) != 1:
        raise ReleaseError(f"the wheel and the sdist carry different versions: {', '.join(sorted(versions))}")
    return versions.pop()


def check_changelog(changelog: Path, version: str) -> None:
    try:
        text = changelog.read_text(encoding="utf-8")
    except OSError as error:
        raise ReleaseError(f"{changelog}: cannot read it ({error.strerror})") from error
    if not re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d\d-\d\d$", text, re.M):
        raise ReleaseError(f"{changelog} has no section for {version}: move the Unreleased entries under "
                           f"'## [{version}] - YYYY-MM-DD' before tagging (docs/releasing.md)")


def check(tag: str, dist: Path, changelog: Path) -> dict[str, str]:
    version = version_of_tag(tag)
    built = built_version(dist)
    if built != version:
        raise ReleaseError(f"tag {tag} does not match the built version {built} (from pyproject.toml's version "
                           "source, migsafe/__init__.py): bump the version or fix the tag")
    check_changelog(changelog, version)
    return {"version": version, "major_tag": major_tag(version)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tag", help="the pushed tag, such as v0.1.0")
    parser.add_argument("dist", type=Path, help="the directory python -m build wrote")
    parser.add_argument("--changelog", type=Path, default=Path("CHANGELOG.md"))
    args = parser.parse_args(argv)
    try:
        outputs = check(args.tag, args.dist, args.changelog)
    except ReleaseError as error:
        print(f"release_check: {error}", file=sys.stderr)
        return 1
    lines = "".join(f"{key}={value}\n" for key, value in outputs.items())
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as output:
            output.write(lines)
    else:
        sys.stdout.write(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
