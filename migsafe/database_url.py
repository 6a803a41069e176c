"""The ``--database-url`` that replay, ``migsafe stats`` and ``migsafe calibrate`` take: libpq parameters from
it, and how to name the server in messages without its password. One module below both replay and stats (stats
must not import replay)."""

from __future__ import annotations

import re
from typing import Mapping

import psycopg
from psycopg.conninfo import conninfo_to_dict

from migsafe.errors import UsageError


def parse_database_url(database_url: str) -> dict[str, str]:
    """libpq parameters from a libpq URI, a SQLAlchemy URL (``postgresql+psycopg://``) or a key=value string."""
    text = re.sub(r"^(postgres(?:ql)?)\+\w+://", "postgresql://", database_url.strip())
    if "://" in text and not text.startswith(("postgresql://", "postgres://")):
        raise UsageError(f"--database-url must be a postgresql:// URL, got {text.split('://')[0]}://...")
    try:
        params = conninfo_to_dict(text)
    except psycopg.Error as error:
        raise UsageError(f"--database-url is not a valid PostgreSQL URL: {first_line(error)}") from None
    return {key: str(value) for key, value in params.items() if value is not None}


def describe_server(params: Mapping[str, str]) -> str:
    """user@host:port/db for messages and reports; never the password."""
    host = params.get("host") or params.get("hostaddr") or "the default socket"
    port = f":{params['port']}" if params.get("port") else ""
    user = f"{params['user']}@" if params.get("user") else ""
    return f"{user}{host}{port}/{params.get('dbname', '')}"


def first_line(error: BaseException) -> str:
    """The first line of a driver's error, or its type when it has no text."""
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__
