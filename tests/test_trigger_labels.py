"""Every audit event a campaign writes has a Chinese name where officials read the history (the
item page, ``item show``, the ledger's notes): a simulated campaign's every trigger is labelled."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from zhenggai.adapters._labels import Labels
from zhenggai.adapters.cli import main
from zhenggai.engine import Engine


def test_every_trigger_of_a_simulated_campaign_has_a_chinese_label(tmp_path: Path) -> None:
    db = tmp_path / "sim.db"
    assert main(["simulate", "county_2023", "--items", "60", "--seed", "3", "--sim-db", str(db)]) == 0
    with sqlite3.connect(db) as conn:
        triggers = {row[0] for row in conn.execute("SELECT DISTINCT trigger FROM zg_event")}
    assert len(triggers) > 40  # the simulation plays every kind of step
    engine = Engine(db)
    try:
        labels = Labels.load(engine, engine.campaigns()[0].key)
    finally:
        engine.dispose()
    assert sorted(t for t in triggers if labels.trigger(t) == t) == []
