"""A thread pool whose threads never keep the interpreter alive.

:func:`aiolab.run_virtual` gives its loop this pool as the default executor, so
``asyncio.to_thread`` and ``run_in_executor(None, ...)`` in learners' code run here. Why
not ``ThreadPoolExecutor``: its workers are joined when the interpreter exits, so one
learner's ``to_thread(time.sleep, 10**6)`` abandoned after a real-time limit would hang the
notebook kernel's or the grader's shutdown. Here the workers are daemon threads, and
shutting down never waits longer than asked.

Same sizing rule as ``ThreadPoolExecutor`` (``min(32, cpu_count + 4)`` workers, started on
demand, idle ones reused), so lessons about the size of the default pool hold. It *is* a
``ThreadPoolExecutor`` subclass only because ``loop.set_default_executor`` insists on one;
it shares none of its machinery (which is private and changes between Python versions).
"""

from __future__ import annotations

import concurrent.futures
import itertools
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

_counter = itertools.count()


class DaemonThreadPool(concurrent.futures.ThreadPoolExecutor):
    def __init__(self, max_workers: int | None = None,
                 thread_name_prefix: str = "aiolab-worker") -> None:
        if max_workers is None:
            max_workers = min(32, (os.cpu_count() or 1) + 4)
        super().__init__(max_workers, thread_name_prefix)  # validates; starts nothing
        self._d_max = max_workers
        self._d_prefix = f"{thread_name_prefix}-{next(_counter)}"
        self._d_work: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._d_idle = threading.Semaphore(0)
        self._d_threads: list[threading.Thread] = []
        self._d_lock = threading.Lock()
        self._d_shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any,
               **kwargs: Any) -> concurrent.futures.Future[Any]:
        with self._d_lock:
            if self._d_shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            future: concurrent.futures.Future[Any] = concurrent.futures.Future()
            self._d_work.put((future, fn, args, kwargs))
            if not self._d_idle.acquire(timeout=0) and len(self._d_threads) < self._d_max:
                thread = threading.Thread(target=self._d_worker, daemon=True,
                                          name=f"{self._d_prefix}_{len(self._d_threads)}")
                thread.start()
                self._d_threads.append(thread)
            return future

    def _d_worker(self) -> None:
        while True:
            item = self._d_work.get()
            if item is None:
                self._d_work.put(None)  # wake the next worker too
                return
            future, fn, args, kwargs = item
            del item
            if future.set_running_or_notify_cancel():
                try:
                    result = fn(*args, **kwargs)
                except BaseException as exc:
                    future.set_exception(exc)
                    del exc
                else:
                    future.set_result(result)
                    del result
            del future, fn, args, kwargs
            self._d_idle.release()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False,
                 timeout: float | None = None) -> None:
        """Stop accepting work; with ``wait``, join the workers (for at most ``timeout``
        seconds in total, if given: a stuck worker is then left running, as a daemon)."""
        with self._d_lock:
            self._d_shutdown = True
            if cancel_futures:
                while True:
                    try:
                        item = self._d_work.get_nowait()
                    except queue.Empty:
                        break
                    if item is not None:
                        item[0].cancel()
            self._d_work.put(None)
        if wait:
            deadline = None if timeout is None else time.monotonic() + timeout
            for thread in self._d_threads:
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                thread.join(remaining)
