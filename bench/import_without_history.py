"""``python -m bench.import_without_history import FILE …``: the import command with history
recording skipped (the benchmark's baseline, never used by the product).

Everything else runs as in ``python -m territoires import``: reading, matching, the store's
transaction, the import journal.
"""

from __future__ import annotations

from territoires.cli import main
from territoires.store import batches, history


def _skip_history() -> None:
    batches.batch_entries = lambda *args, **kwargs: []  # type: ignore[assignment]
    batches._update_entries = lambda *args, **kwargs: []  # type: ignore[assignment]
    history.write = lambda *args, **kwargs: None  # type: ignore[assignment]


if __name__ == "__main__":
    _skip_history()
    raise SystemExit(main())
