"""The "safe way" recipes of the rule pages work when pasted.

A reader copies a recipe from docs/rules/<rule>.md into a revision and runs migsafe: the recipe must pass migsafe's
own review with default settings (a finding the recipe accepts is suppressed on the page, with its reason, so the
reader sees what it takes). Each recipe is reviewed after the page's "Tables in the examples" revision, so the
tables it touches are live tables with rows, as in production. With PostgreSQL installed, each recipe is also
applied to a real server after those tables: the SQL it sends is valid PostgreSQL for that schema.

The page conventions are described in tests/docs_recipes.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator
from urllib.parse import quote

import pytest

from conftest import needs_sqlalchemy_2
from docs_recipes import DOCS_RULES, Recipe, page_recipes, page_tables, write_recipe_history
from migsafe.engine import ReviewOptions, review
from migsafe.replay.reconcile import REPLAY_RULES
from migsafe.report import Report
from migsafe.rules import all_rules
from replay.test_server import needs_postgres

# Replay-only rules describe what a real server showed: their pages have no statement migsafe flags statically,
# so their examples are not reviewed here.
REPLAY_ONLY = {rule.id for rule in REPLAY_RULES}
PAGES = sorted(DOCS_RULES.glob("*.md"))


def _page_params() -> list[object]:
    return [pytest.param(page, id=page.stem,
                         marks=[pytest.mark.skip(reason="replay-only rule: no recipe to review")]
                         if page.stem in REPLAY_ONLY else [])
            for page in PAGES]


def _history(directory: Path, page: Path, recipe: Recipe) -> Path:
    """The page's tables revision, then the recipe's revisions, in a versions directory of their own."""
    versions = directory / recipe.name.replace("#", "-") / "versions"
    write_recipe_history(versions, page_tables(page), recipe)
    return versions


def _review(directory: Path, page: Path, recipe: Recipe) -> Report:
    versions = _history(directory, page, recipe)
    return review(ReviewOptions(paths=[versions], cwd=versions.parent))  # no configuration: the defaults


def _problems(recipe: Recipe, report: Report) -> list[str]:
    problems = [f"{recipe.name}: {error.message}" for error in report.errors]
    problems += [f"{recipe.name}: revision {f.revision} line {f.line}: {f.severity} {f.rule}: {f.message}"
                 for f in report.findings]
    problems += [f"{recipe.name}: revision {n.revision} line {n.line}: {n.message}"
                 for n in report.notes if n.kind == "unused-ignore"]
    problems += [f"{recipe.name}: ignore comment {ids!r} gives no reason" for ids, reason in recipe.ignore_comments()
                 if not reason]
    if report.exit_code() != 0 and not problems:
        problems.append(f"{recipe.name}: exit code {report.exit_code()}")
    return problems


def test_every_page_is_a_rule_or_a_replay_only_rule():
    assert {page.stem for page in PAGES} == {rule.id for rule in all_rules()} | REPLAY_ONLY


@pytest.mark.parametrize("page", _page_params())
def test_every_recipe_passes_the_default_review(page: Path, tmp_path: Path):
    recipes = [recipe for recipe in page_recipes(page) if recipe.revisions]
    assert recipes, f"{page.name}: no recipe in its safe-way section"
    problems = [problem for recipe in recipes for problem in _problems(recipe, _review(tmp_path, page, recipe))]
    assert not problems, "\n".join(problems)


# --- on a real server -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """One throwaway cluster for every recipe: replay makes (and drops) a scratch database on it per recipe."""
    from migsafe.replay.server import find_server_binaries, local_cluster

    with local_cluster(find_server_binaries()) as server:
        yield f"postgresql://postgres@/postgres?host={quote(str(server.directory), safe='')}"


@needs_postgres
@needs_sqlalchemy_2
@pytest.mark.parametrize("page", _page_params())
def test_every_recipe_runs_on_postgresql(page: Path, tmp_path: Path, server_url: str):
    from migsafe.replay.run import ReplayOptions, replay

    failed = []
    for recipe in page_recipes(page):
        if not recipe.revisions:
            continue
        versions = _history(tmp_path, page, recipe)
        # No rows: the recipes leave their back-fills to the reader ("backfill in batches here"), and a CHECK
        # validated over rows that were never filled would fail for that reason, not for the SQL.
        result = replay(ReplayOptions(paths=[versions], cwd=versions.parent, rows=0, database_url=server_url))
        failed += [f"{recipe.name}: {error.message}" for error in result.report.errors]
        failed += [f"{recipe.name}: revision {f.revision} line {f.line}: {f.message}"
                   for f in result.report.findings if f.rule == "migration-failed"]
    assert not failed, "\n".join(failed)
