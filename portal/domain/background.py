"""Work done after the answer: one daemon thread per ``Worker``, fed by a bounded queue, in order.

For requests whose answer must not depend on (or take the time of) what the work finds, such as a
password-reset request: the route queues the request and answers at once; the worker looks the
address up and sends the mail afterwards. Jobs live in this process's memory only: a restart drops
what is still queued, and a full queue (``maxsize``) drops new jobs with a log line (the caller's
answer is the same either way). A job's error is logged by type only and the worker goes on.

>>> seen = []; worker = Worker("example")
>>> worker.submit(seen.append, 1), worker.submit(seen.append, 2), worker.join(5), seen
(True, True, True, [1, 2])
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, name: str, maxsize: int = 1000) -> None:
        self.name = name
        self.maxsize = maxsize
        self._queue: queue.Queue = queue.Queue(maxsize)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def submit(self, fn: Callable[..., object], *args: object, **kwargs: object) -> bool:
        """Queue ``fn(*args, **kwargs)`` and return at once; False when the queue is full (dropped)."""
        self._ensure_thread()
        try:
            self._queue.put_nowait((fn, args, kwargs))
        except queue.Full:
            log.warning("%s: queue full, a job was dropped", self.name)
            return False
        return True

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every queued job has run; False when ``timeout`` seconds passed first."""
        q = self._queue
        with q.all_tasks_done:
            return q.all_tasks_done.wait_for(lambda: q.unfinished_tasks == 0, timeout)

    def _ensure_thread(self) -> None:
        with self._lock:
            if os.getpid() != self._pid:  # a forked child: the parent's thread and jobs are not here
                self._pid, self._thread, self._queue = os.getpid(), None, queue.Queue(self.maxsize)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, args=(self._queue,), name=f"portal-{self.name}",
                                                daemon=True)
                self._thread.start()

    def _run(self, jobs: queue.Queue) -> None:
        while True:
            fn, args, kwargs = jobs.get()
            try:
                fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - one failed job must not stop the others
                log.error("%s: a job failed: %s", self.name, type(exc).__name__)
            finally:
                jobs.task_done()
