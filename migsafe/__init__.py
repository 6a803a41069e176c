"""migsafe: a safety reviewer for Alembic migrations on PostgreSQL.

Kept free of imports on purpose: `migsafe --version` must not pay for SQLAlchemy, Alembic or rich.
The public API lives in :mod:`migsafe.api`.
"""

__version__ = "0.1.0"
