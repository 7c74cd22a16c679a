"""zhenggai.adapters: what connects the engine to the outside world.

The command-line interface (:mod:`zhenggai.adapters.cli`, the ``zhenggai`` console script:
its parser in ``_parser_*``, its commands in ``_commands`` and ``_cmd_*``), the scheduler daemon
(``_daemon``, ``_ops``), intake of problem lists and rosters (``_import``, ``_sheets``,
``_contacts``), the simulation and demo (``_simulate*``, ``_demo``) and the reports
(:mod:`zhenggai.adapters.reports`).

This package imports nothing heavy on import: ``zhenggai --help`` must not pay for
SQLAlchemy, Alembic, transitions or pydantic.
"""

__all__: list[str] = []
