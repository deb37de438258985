"""The database: models, engines and sessions, migrations, repositories and the submission queue."""

from storage.database import (
    DEFAULT_URL,
    create_engine,
    create_sessionmaker,
    is_sqlite,
    normalise_url,
    transaction,
)
from storage.hashing import hash_secret, secrets_match
from storage.migrate import upgrade, upgrade_engine
from storage.models import (
    Base,
    ChannelLink,
    Evaluation,
    InboxMessage,
    Lane,
    Organisation,
    OutboxMessage,
    Submission,
    TranscriptEntry,
    utcnow,
)

__all__ = [
    "DEFAULT_URL",
    "Base",
    "ChannelLink",
    "Evaluation",
    "InboxMessage",
    "Lane",
    "Organisation",
    "OutboxMessage",
    "Submission",
    "TranscriptEntry",
    "create_engine",
    "create_sessionmaker",
    "hash_secret",
    "is_sqlite",
    "normalise_url",
    "secrets_match",
    "transaction",
    "upgrade",
    "upgrade_engine",
    "utcnow",
]
