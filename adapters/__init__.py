"""zhenggai.adapters: what connects the engine to the outside world.

Step 1 holds the command-line interface (:mod:`zhenggai.adapters.cli`, the ``zhenggai``
console script). Later steps add the daemon, import/export and reports here.

This package imports nothing heavy on import: ``zhenggai --help`` must not pay for
SQLAlchemy, SQLModel, Alembic, transitions or pydantic.
"""

__all__: list[str] = []
