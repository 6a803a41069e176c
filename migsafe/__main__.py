"""Entry point for ``python -m migsafe`` and the ``migsafe`` console script."""

from __future__ import annotations

import sys


def main() -> None:
    # `--version` is answered before anything heavy is imported, so start-up stays cheap.
    if sys.argv[1:] in (["--version"], ["-V"]):
        from migsafe import __version__

        print(f"migsafe {__version__}")
        return
    from migsafe.cli import run

    run()


if __name__ == "__main__":
    main()
