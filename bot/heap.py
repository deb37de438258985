"""A server's start-up objects kept out of the garbage collector's full passes.

A full collection (generation 2) walks every live container in the process, and most of them, once a
server has started, live as long as it does: the modules, the content, the catalogs, the templates,
SQLAlchemy's metadata: 182,000 of them in ``icf serve``, and a full pass over them took up to
137 ms with the loop stopped (measured with ``gc.callbacks``). A full pass comes whenever what has
survived since the last one grows by a quarter, so in a server that runs for weeks (rate-limit
buckets, cached statements, sessions) they come while people are chatting. ``gc.freeze`` moves
what exists after start-up into a permanent generation that no pass walks again.

Only for a server process: an app that a test makes and drops would be kept for ever.
"""

from __future__ import annotations

import gc

__all__ = ["frozen_after_start"]


def frozen_after_start() -> int:
    """Collect start-up's garbage once (so none of it is kept), then freeze the rest; returns how
    many objects are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
