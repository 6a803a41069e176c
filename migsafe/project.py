"""Work out which Alembic project a PATH argument means.

PATH may be a versions directory, a directory holding ``alembic.ini`` (or a ``pyproject.toml`` with
``[tool.alembic]``), an ``alembic.ini`` file, or revision files. Alembic's own :class:`~alembic.config.Config`
reads the configuration (``script_location``, ``version_locations``, ``prepend_sys_path``, ``%(here)s``); we only
resolve relative paths against the configuration file's directory instead of the current directory, because a
reviewer is run from anywhere.
"""

from __future__ import annotations

import configparser
import importlib.util
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migsafe.errors import MigsafeError, UsageError
from migsafe.layout import env_py_beside, has_revision_subfolders, read_subfolders
from migsafe.listing import is_script_name
from migsafe.model import Note


@dataclass
class Project:
    root: Path  # where configuration is looked for (pyproject.toml upward from here)
    versions_dirs: list[Path]
    sys_path: list[Path] = field(default_factory=list)
    config_file: Path | None = None  # alembic.ini or pyproject.toml holding [tool.alembic]
    recursive: bool = False
    only_files: set[Path] | None = None  # review only these files (the rest is context)
    env_py: Path | None = None
    notes: list[Note] = field(default_factory=list)  # how the layout was read (subfolders, a chosen chain)


def locate(paths: list[Path], cwd: Path) -> Project:
    try:
        return _locate(paths, cwd)
    except OSError as exc:  # a path we may not look at (a directory without search permission): name it
        where = exc.filename if exc.filename is not None else (paths[0] if paths else cwd)
        raise UsageError(f"{where}: {exc.strerror or exc}") from None


def _locate(paths: list[Path], cwd: Path) -> Project:
    if not paths:
        project = _from_directory(cwd, explicit=False)
        if project is None:
            raise UsageError(
                f"no Alembic project in {cwd}: no alembic.ini and no [tool.alembic] in pyproject.toml; "
                "pass a versions directory, an alembic.ini or revision files"
            )
        return project
    files = [p for p in paths if p.suffix == ".py"]
    if files:
        others = [p for p in paths if p.suffix != ".py"]
        if others:
            raise UsageError(f"{others[0]}: pass either revision files or one project path, not both")
        return _from_revision_files(files)
    if len(paths) > 1:
        raise UsageError("pass one project path (a directory or alembic.ini), or one or more revision files")
    path = paths[0]
    if not path.exists():
        raise UsageError(f"{path}: no such file or directory")
    if not path.is_file() and not path.is_dir():
        raise UsageError(f"{path}: not a regular file or directory")
    if path.is_file():
        if path.suffix == ".ini":
            return _from_ini(path)
        if path.name == "pyproject.toml":
            return _from_pyproject(path) or _fail(path, "pyproject.toml has no [tool.alembic] table")
        raise UsageError(f"{path}: expected a directory, an alembic.ini, or revision (.py) files")
    project = _from_directory(path, explicit=True)
    if project is None:
        raise UsageError(f"{path}: no revision scripts, alembic.ini or versions/ directory here")
    return project


def _fail(path: Path, message: str) -> Project:
    raise UsageError(f"{path}: {message}")


def _from_directory(directory: Path, explicit: bool) -> Project | None:
    directory = directory.resolve()
    ini = directory / "alembic.ini"
    if ini.is_file():
        return _from_ini(ini)
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        found = _from_pyproject(pyproject)
        if found is not None:
            return found
    if not explicit:
        return None
    if (directory / "versions").is_dir() and (directory / "env.py").is_file():
        return _from_versions_dir(directory / "versions")  # an Alembic script directory (env.py is no revision)
    if any(is_script_name(p.name) for p in directory.iterdir()):
        return _from_versions_dir(directory)
    if (directory / "versions").is_dir():
        return _from_versions_dir(directory / "versions")
    if has_revision_subfolders(directory):
        return _from_versions_dir(directory)  # only subfolders (versions/{postgresql,sqlite}): read them
    return None


def _from_versions_dir(versions: Path) -> Project:
    versions = versions.resolve()
    # A versions directory inside a project: use that project's settings (sys.path, extra locations).
    # Every ancestor, not just the nearest few: `alembic revision` run from the project root can write into
    # a deeply nested script_location (src/app/db/migrations/versions); only a configuration that names
    # this directory is used, so a far-away alembic.ini cannot be picked by mistake.
    for parent in versions.parents:
        for candidate in (parent / "alembic.ini", parent / "pyproject.toml"):
            if candidate.is_file():
                try:
                    project = _from_ini(candidate) if candidate.suffix == ".ini" else _from_pyproject(candidate)
                except UsageError:
                    # An incomplete or templated configuration (script_location set in code): the
                    # directory we were given is still a perfectly good versions directory.
                    continue
                if project is not None and (versions in project.versions_dirs or (project.recursive and any(
                        versions.is_relative_to(v) for v in project.versions_dirs))):
                    # With recursive_version_locations (file_template = %%(year)d/%%(month).2d/...), a new
                    # revision lands in a subdirectory: its history is the whole versions tree.
                    return project
    # No configuration says where the application lives: try the directories a project usually has above
    # its versions directory (migrations/versions -> the project root; a script directory -> itself).
    candidates = [versions.parent.parent, versions.parent] if versions.name == "versions" else [versions.parent]
    return _with_subfolders(Project(root=versions, versions_dirs=[versions], sys_path=candidates,
                                    env_py=env_py_beside(versions)))


def _with_subfolders(project: Project) -> Project:
    """Without recursive_version_locations, Alembic reads only the top of each versions directory, but env.py
    may add its subfolders in code (Neutron's release folders) or pick one of them (Prefect's
    ``versions/postgresql``): read them as recursive_version_locations would, or, when they are alternative
    chains, the PostgreSQL one, and say so. Nothing in a subfolder is skipped without a word."""
    if project.recursive:
        return project
    chosen: list[Path] = []
    for versions in project.versions_dirs:
        layout = read_subfolders(versions)
        if layout is not None:
            project.notes.append(layout.note)
            project.recursive = True
        chosen.append(versions if layout is None else layout.chosen)
    project.versions_dirs = chosen
    return project


def _from_revision_files(files: list[Path]) -> Project:
    for f in files:
        if f.is_symlink() and not f.exists():
            raise UsageError(f"{f}: symbolic link that leads nowhere or loops")
        if not f.is_file():
            raise UsageError(f"{f}: not a regular file" if f.exists() else f"{f}: no such file")
    resolved = {f.resolve() for f in files}
    directories = {f.parent for f in resolved}
    project = _from_versions_dir(next(iter(sorted(directories))))
    for d in directories:
        if d not in project.versions_dirs and not (project.recursive and any(
                d.is_relative_to(v) for v in project.versions_dirs)):
            project.versions_dirs.append(d)
    project.only_files = resolved
    project.root = next(iter(sorted(directories)))
    return project


def _from_pyproject(pyproject: Path) -> Project | None:
    from migsafe.config import read_toml, tool_table

    if tool_table(read_toml(pyproject), "alembic", pyproject) is None:
        return None
    return _from_alembic_config(pyproject, ini=None, toml=pyproject)


def _from_ini(ini: Path) -> Project:
    from migsafe.config import read_toml, tool_table

    ini = ini.resolve()
    try:
        ini.open("rb").close()  # configparser skips a file it cannot open: "no script_location" would follow
    except OSError as exc:
        raise UsageError(f"{ini}: cannot read: {exc.strerror}") from None
    toml = ini.parent / "pyproject.toml"
    if toml.is_file():
        # Alembic reads it too ([tool.alembic]), and its errors would be reported as the ini's.
        tool_table(read_toml(toml), "alembic", toml)
    return _from_alembic_config(ini, ini=ini, toml=toml if toml.is_file() else None)


def _from_alembic_config(config_file: Path, ini: Path | None, toml: Path | None) -> Project:
    from alembic.config import Config

    base = config_file.parent
    try:
        with warnings.catch_warnings():
            # Alembic warns about legacy path splitting in old ini files; that is the project's business.
            warnings.simplefilter("ignore")
            return _project_from_config(Config(file_=str(ini) if ini else None,
                                               toml_file=str(toml) if toml else None), config_file, base)
    except MigsafeError:
        raise
    except UnicodeDecodeError as exc:  # the ini, read in the locale's encoding (the TOML was checked before)
        from migsafe.config import decode_error

        raise UsageError(decode_error(config_file, config_file.read_bytes(), exc)) from None
    except configparser.Error as exc:
        raise UsageError(_ini_error(config_file, exc)) from None
    except Exception as exc:  # Alembic's errors: name the file
        raise UsageError(f"{config_file}: cannot read Alembic configuration: {_first_line(exc)}") from None


def _ini_error(ini: Path, exc: configparser.Error) -> str:
    """One line with the line number: configparser's own messages span several lines and name the file."""
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return f"{ini}:{exc.lineno}: invalid ini: no [section] header before {exc.line!r}"
    if isinstance(exc, configparser.ParsingError) and exc.errors:
        line, text = exc.errors[0]
        return f"{ini}:{line}: invalid ini: cannot parse {text}"
    if isinstance(exc, (configparser.DuplicateSectionError, configparser.DuplicateOptionError)) and exc.lineno:
        return f"{ini}:{exc.lineno}: invalid ini: {exc.message.partition(']: ')[2] or _first_line(exc)}"
    return f"{ini}: cannot read Alembic configuration: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _project_from_config(config: Any, config_file: Path, base: Path) -> Project:
    script_location = config.get_alembic_option("script_location")
    version_locations = config.get_version_locations_list()
    prepend = config.get_prepend_sys_paths_list() or []
    recursive = config.get_alembic_boolean_option("recursive_version_locations")
    in_script_dir = False
    if not script_location:
        if not ((base / "env.py").is_file() and (base / "versions").is_dir()):
            raise UsageError(f"{config_file}: no script_location in the Alembic configuration")
        # Flask-Migrate keeps alembic.ini inside the migrations directory and sets script_location in code.
        script_location, in_script_dir = str(base), True
    prepended = [_resolve_location(p, base) for p in prepend]
    script_dir = _resolve_location(script_location, base, prepended)
    if version_locations:
        versions = [_resolve_location(v, base, prepended) for v in version_locations]
    else:
        versions = [script_dir / "versions"]
    missing = [v for v in versions if not v.is_dir()]
    if missing:
        problem = "is not a directory" if missing[0].exists() else "does not exist"
        package = _unresolved_package(script_location if not version_locations else "", missing[0])
        hint = (f" (package {package!r} is not importable here and no directory of that name is beside or above "
                "the configuration: pass the versions directory instead)" if package else "")
        raise UsageError(f"{config_file}: versions directory {missing[0]} {problem}{hint}")
    # The application is run from the project root: above migrations/ (Flask-Migrate), else beside the ini.
    sys_path = prepended or ([base.parent.parent, base.parent] if in_script_dir else [base])
    env_py = script_dir / "env.py"
    return _with_subfolders(Project(root=base, versions_dirs=versions, sys_path=sys_path, config_file=config_file,
                                    recursive=recursive, env_py=env_py if env_py.is_file() else None))


def _resolve_location(location: str, base: Path, sys_path: list[Path] | None = None) -> Path:
    location = location.strip()
    if ":" in location and not Path(location).is_absolute() and len(location.split(":")[0]) > 1:
        # "package:path" form, as Alembic accepts for script_location.
        package, _, sub = location.partition(":")
        found = _package_directory(package, [*(sys_path or []), base, *base.parents])
        if found is not None:
            return (found / sub.replace(":", "/")).resolve()
    path = Path(location).expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def _unresolved_package(location: str, missing: Path) -> str | None:
    """The package of a ``package:path`` location that could not be found (its path was taken literally)."""
    package, colon, _ = location.strip().partition(":")
    return package if colon and len(package) > 1 and location.strip() in str(missing) else None


def _package_directory(package: str, search: list[Path]) -> Path | None:
    """Where ``package`` lives: imported as the application would, else (the review runs without the
    application installed) found as a directory on the project's sys.path, beside the configuration or above it
    (``src/app/alembic.ini`` naming ``app:migrations``)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):  # a dotted name whose parent is not importable, or a bad name
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    relative = Path(*package.split("."))
    for directory in search:
        if (directory / relative / "__init__.py").is_file() or (directory / relative).is_dir() and any(
                directory.glob(f"{relative.as_posix()}/*.py")):
            return directory / relative
    return None
