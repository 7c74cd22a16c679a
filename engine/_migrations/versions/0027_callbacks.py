"""回访/满意度: callbacks to the reporter after 销号

Revision ID: 0027_callbacks
Revises: 0026_attachments
Create Date: 2026-12-07

Step 12 (issue 17). (Filled by the engineer who builds it.)
"""

from __future__ import annotations

revision = "0027_callbacks"
down_revision = "0026_attachments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
