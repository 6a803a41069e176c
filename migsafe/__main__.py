"""Entry point for ``python -m migsafe`` and the ``migsafe`` console script."""

from __future__ import annotations

import sys


def main() -> None:
    # `--version` is answered before anything heavy is imported, so start-up stays cheap.
    if sys.argv[1:] in (["--version"], ["-V"]):
        from migsafe import __version__

        print(f"migsafe {__version__}")
        return
    # Alembic imports Mako, whose error pages import Pygments' lexers for HTML highlighting when Pygments is
    # installed (it is: rich needs it): 60-80 ms of every review for a page a linter never renders. Without
    # the plugin Mako falls back to plain text. Only in migsafe's own process, never as a library.
    sys.modules.setdefault("mako.ext.pygmentplugin", None)  # type: ignore[arg-type]
    from migsafe.cli import run

    run()


if __name__ == "__main__":
    main()
