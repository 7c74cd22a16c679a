"""Reserved for the 关联研判 title n-gram index (issue 19): ships empty, changes nothing

The index was built on a branch (``s1``) and measured, and not merged: at 关联研判's window of
the newest 500 items it was no cheaper than the scan and cost about a kilobyte more per item
(BENCHMARKS.md). If it comes, its table comes in a new revision, so databases already at this
one get it too.

Revision ID: 0032_title_grams
Revises: 0031_webhooks
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0032_title_grams"
down_revision = "0031_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
