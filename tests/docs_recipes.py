"""Read the "safe way" recipes out of the rule pages (docs/rules/*.md) and turn each into a small Alembic history.

The pages are written for people, so the conventions the tests rely on are ones a reader also benefits from:

- every ```` ```python ```` block of the ``## Safe way in Alembic`` section is a recipe, reviewed on its own (a
  page's blocks are alternatives or separate steps, never one script);
- a recipe is one or more revisions: each top-level ``def upgrade():`` starts one, a ``def downgrade():`` belongs
  to the ``upgrade()`` before it, and comments between them say which release or revision is which;
- a recipe that is not a revision says where it goes on its first line (``# env.py``);
- the ``## Tables in the examples`` section holds one ``def upgrade():`` that creates what the page's examples
  use: it is the earlier revision every recipe is reviewed after, so its tables count as live tables with rows.

Only the test suite imports this module: it is how the tests read the docs, not part of migsafe.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from conftest import revision_source

DOCS_RULES = Path(__file__).resolve().parent.parent / "docs" / "rules"
SAFE_WAY = "## Safe way in Alembic"
TABLES = "## Tables in the examples"
# A recipe block that is not revision code names the file it belongs in on its first line.
NOT_A_REVISION = ("# env.py",)

_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
_IGNORE = re.compile(r"#\s*migsafe:\s*ignore(?:-file)?\[([^\]]*)\](.*)$", re.M)


class RecipeFormatError(AssertionError):
    """A docs code block that does not follow the conventions above: the message says which and why."""


@dataclass
class Revision:
    upgrade: str
    downgrade: str = "pass"


@dataclass
class Recipe:
    page: str  # the rule id: the page's file name without .md
    index: int  # 1-based, among the page's recipes
    code: str
    revisions: list[Revision] = field(default_factory=list)  # empty for a block that is not revision code

    @property
    def name(self) -> str:
        return f"{self.page}#{self.index}"

    def ignore_comments(self) -> list[tuple[str, str]]:
        """(rule ids, reason) of every ``# migsafe: ignore[...]`` comment in the recipe."""
        return [(ids.strip(), reason.strip()) for ids, reason in _IGNORE.findall(self.code)]


def section(text: str, heading: str) -> str | None:
    """The body of the ``## `` section called ``heading``, up to the next ``## `` heading."""
    match = re.search(rf"^{re.escape(heading)}[ \t]*\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    return match.group(1) if match else None


def python_blocks(markdown: str) -> list[str]:
    return _FENCE.findall(markdown)


def split_revisions(code: str, where: str) -> list[Revision]:
    """The revisions of a recipe block: one per top-level ``def upgrade():``."""
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        raise RecipeFormatError(f"{where}: not valid Python ({error.msg}, line {error.lineno}); a fragment of "
                                "upgrade() must be shown as a whole `def upgrade():`") from error
    lines = code.splitlines()
    revisions: list[Revision] = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or node.name not in ("upgrade", "downgrade"):
            raise RecipeFormatError(f"{where}, line {node.lineno}: a recipe holds only `def upgrade():` and "
                                    f"`def downgrade():` (or starts with one of {NOT_A_REVISION})")
        body = _function_body(lines, node.lineno)
        if node.name == "upgrade":
            revisions.append(Revision(upgrade=body))
        elif not revisions:
            raise RecipeFormatError(f"{where}, line {node.lineno}: `def downgrade():` before any `def upgrade():`")
        else:
            revisions[-1].downgrade = body
    if not revisions:
        raise RecipeFormatError(f"{where}: no `def upgrade():`")
    return revisions


def _function_body(lines: list[str], def_line: int) -> str:
    """The indented lines after ``def ...:`` (line numbers from 1), comments inside it included, dedented."""
    body: list[str] = []
    for line in lines[def_line:]:
        if line.strip() and not line[0].isspace():
            break
        body.append(line)
    return textwrap.dedent("\n".join(body)).strip("\n")


def page_recipes(path: Path) -> list[Recipe]:
    text = path.read_text(encoding="utf-8")
    safe_way = section(text, SAFE_WAY)
    if safe_way is None:
        raise RecipeFormatError(f"{path.name}: no {SAFE_WAY!r} section")
    recipes = []
    for index, code in enumerate(python_blocks(safe_way), start=1):
        recipe = Recipe(page=path.stem, index=index, code=code)
        if not code.lstrip().startswith(NOT_A_REVISION):
            recipe.revisions = split_revisions(code, recipe.name)
        recipes.append(recipe)
    return recipes


def page_tables(path: Path) -> list[Revision]:
    """The revision that creates what the page's examples use (its ``## Tables in the examples`` section)."""
    tables = section(path.read_text(encoding="utf-8"), TABLES)
    if tables is None:
        raise RecipeFormatError(f"{path.name}: no {TABLES!r} section: the recipes need the tables they use")
    blocks = python_blocks(tables)
    if len(blocks) != 1:
        raise RecipeFormatError(f"{path.name}: {TABLES!r} needs exactly one python block, found {len(blocks)}")
    return split_revisions(blocks[0], f"{path.stem} tables")


def write_recipe_history(versions: Path, tables: list[Revision], recipe: Recipe) -> list[Path]:
    """The tables' revision(s), then the recipe's revisions, chained r1 <- r2 <- ...; returns the file paths."""
    versions.mkdir(parents=True, exist_ok=True)
    paths = []
    down = None
    for number, revision in enumerate([*tables, *recipe.revisions], start=1):
        name = f"r{number}"
        path = versions / f"{number:03d}_{name}.py"
        path.write_text(revision_source(revision.upgrade, name, down, downgrade=revision.downgrade,
                                        message=f"{recipe.name}, revision {number}"), encoding="utf-8")
        paths.append(path)
        down = name
    return paths
