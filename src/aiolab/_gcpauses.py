"""Garbage-collection pauses, so that they are not mistaken for blocking calls.

:func:`aiolab.run_virtual` reports a step that holds the event loop for more than a few
tens of milliseconds as a blocking call. A full collection of a big heap (a lesson that
creates 100,000 tasks) can take that long by itself, and it lands in whichever step
happens to allocate at the time: the learner's code would be blamed for the collector,
at random. So while a run watches for blocking calls we note when each collection started
and ended (``gc.callbacks``), and a slow step's time spent collecting is subtracted before
judging it. Nothing is added to the per-step path: the pauses are only looked at for a
step that already looks slow.
"""

from __future__ import annotations

import gc
from collections import deque
from time import perf_counter
from typing import Any


class GcPauses:
    """Records the last collections' (start, end) ``perf_counter`` times while installed."""

    def __init__(self, keep: int = 256) -> None:
        self.pauses: deque[tuple[float, float]] = deque(maxlen=keep)
        self._started: float | None = None

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = perf_counter()
        elif self._started is not None:
            self.pauses.append((self._started, perf_counter()))
            self._started = None

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            gc.callbacks.remove(self._callback)
        except ValueError:
            pass

    def within(self, start: float, end: float) -> float:
        """Seconds of collection that overlapped ``[start, end]`` (a GC pauses every
        thread, whichever thread triggered it)."""
        total = 0.0
        for a, b in list(self.pauses):
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += hi - lo
        return total
