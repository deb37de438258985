"""The Telegram inbox: find a chat's updates still waiting without reading the ones applied long ago.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_telegram_inbox_chat_pending", "telegram_inbox", ["chat_id", "processed_at"])


def downgrade() -> None:
    op.drop_index("ix_telegram_inbox_chat_pending", table_name="telegram_inbox")
