"""Run a function over many files in worker processes that a bad file cannot take down.

A pool of long-lived workers (one per core) takes the files in batches and answers file by
file, so the parent always knows which file a worker was on. Each worker is a fresh Python
(``ibc_xls.reading.worker``) started with ``subprocess`` and spoken to over its standard input
and output: no fork server, no resource tracker, nothing of multiprocessing's that outlives a
run. A worker sets its own limits before it reads anything: a memory limit (RLIMIT_AS) and a
per-file CPU limit (RLIMIT_CPU); the parent enforces a per-file wall-time limit. When a worker
dies (a segfault or Rust abort in native code, memory exhausted, CPU time exceeded) or overruns
its time, the file it was on gets one problem, the rest of its batch goes back to the queue and
a fresh worker takes its place. A file on which a worker died is read once more alone, in a
fresh process whose error output is kept, to tell memory exhaustion from a crash and to give the
file a second chance if the worker died of something else.

Starting a worker costs its imports (a few tenths of a second), so ``prestart`` starts them
while the caller is still finding files. A thread per worker passes its answers, and the end
of its output (the worker has died), to one queue that the pool waits on with a timeout: the
same on every system.

Windows has no rlimits. There the parent enforces the memory and CPU limits itself: it polls
each busy worker's memory use and CPU time (psutil) and kills a worker that exceeds them, as it
does one that overruns its time. The reader's own checks (``ibc_xls.reading.sniff``, the sheet
extents in ``ibc_xls.reading.rawread``) refuse the known bombs before calamine allocates
anything, so the polled limits are a second line. Setting the environment variable
``IBC_XLS_ISOLATION=windows`` gives this mode on any system, for tests.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ibc_xls.problems import IbcError, Problem
from ibc_xls.reading.worker import BOOT, ERROR, READY, read_frame, too_large, write_frame

try:
    import resource
except ImportError:  # Windows
    resource = None

T = TypeVar("T")

_SIGXCPU = getattr(signal, "SIGXCPU", 1000)  # no such signal on Windows
_MAX_BATCH = 16
_POLL_SECONDS = 0.1  # how often the parent looks at its workers where it enforces the limits
ISOLATION_VARIABLE = "IBC_XLS_ISOLATION"


def parent_enforces_limits() -> bool:
    """Whether workers are spawned without rlimits and watched by the parent: on Windows, and
    wherever ``IBC_XLS_ISOLATION=windows`` asks for Windows's way (tests set it on Linux)."""
    return resource is None or os.environ.get(ISOLATION_VARIABLE, "").lower() == "windows"


@dataclass(frozen=True)
class Limits:
    """Limits of each worker process.

    ``memory_mb`` caps a worker's address space (RLIMIT_AS), ``cpu_seconds`` the CPU time of
    one file (RLIMIT_CPU, re-armed before each file) and ``wall_seconds`` the elapsed time of
    one file (enforced by the parent, which kills the worker). None turns a limit off. Where
    the parent enforces the limits (Windows), ``memory_mb`` caps the memory a worker uses
    and ``cpu_seconds`` the CPU time of a file, both as polled every tenth of a second.
    """

    memory_mb: int | None = 1024
    cpu_seconds: int | None = 60
    wall_seconds: float = 120.0


class WorkerError(RuntimeError):
    """The traceback of an unexpected exception raised by ``work`` in a worker."""


def run_isolated(paths: Sequence[Path], work: Callable[[Path], T], *, workers: int | None = None,
                 limits: Limits = Limits()) -> Iterator[tuple[Path, T | Problem]]:
    """Call ``work(path)`` for every path in worker processes; yield ``(path, result)`` pairs
    in the order they finish. Every path is yielded exactly once.

    ``work`` must be a top-level (picklable) function with a picklable result. The result is
    ``work``'s return value, or a Problem: the first problem of an IbcError it raised,
    ``file-too-large`` when the file exhausted the memory, CPU or wall-time limit, or
    ``file-unreadable`` when the worker crashed on it. Any other exception raised by ``work``
    is a bug: it is raised here, chained to a WorkerError with the worker's traceback, after
    the workers are stopped. A worker that ends before it can take a file raises IbcError
    with ``reader-failed``. ``workers`` defaults to the number of CPUs. When the last result
    is yielded (or the generator is closed), no worker process is left.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        _stop_all(_take_started(None, 0))
        return
    count = max(1, min(workers or os.cpu_count() or 1, len(paths)))
    pool = _Pool(paths, work, limits, count)
    try:
        yield from pool.run()
    finally:
        pool.close()


def prestart(work: Callable, workers: int | None = None) -> None:
    """Start the workers for ``work`` now: each imports ``work``'s module (a few tenths of a
    second) while the caller goes on finding files; the next ``run_isolated`` takes them.
    ``workers`` as there. Started workers that no run takes are stopped by the next run, by
    ``stop_workers`` or when the program ends."""
    boot = _boot(work)
    count = max(1, workers or os.cpu_count() or 1)
    waiting = [w for w in _started if w.boot == boot]
    _stop_all([w for w in _started if w.boot != boot])
    _started[:] = waiting
    while len(_started) < count:
        _started.append(_Worker(boot))


def stop_workers() -> None:
    """Kill every worker process still running. After Ctrl+C a pool may not be closed yet (its
    generator can wait in a traceback), and started workers may wait for a run."""
    _started.clear()
    for process in list(_live):
        process.kill()
        process.wait()
        _live.discard(process)


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl+C back while processes start and the caller notes them.

    A process started so inherits the blocked signal and never sees Ctrl+C, which is the
    parent's to handle (it stops them), so none prints a traceback while it loads. The
    parent's own KeyboardInterrupt waits for the end of the block, so that no process is
    started without being noted: blocking alone is not enough, as another thread (say, the
    numeric library's) may take the signal for the process. Windows has no signal masks."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held: list[int] = []
    main = threading.current_thread() is threading.main_thread()
    handler = signal.signal(signal.SIGINT, lambda signum, _: held.append(signum)) \
        if main else None
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        if main:
            signal.signal(signal.SIGINT, handler)
            if held and callable(handler):
                handler(signal.SIGINT, None)  # the default handler raises KeyboardInterrupt


_live: set[subprocess.Popen] = set()  # every worker process started and not yet waited for
_started: list[_Worker] = []  # started by prestart, waiting for a run
atexit.register(stop_workers)  # a worker left by an interrupted library call ends with us


def _boot(work: Callable) -> tuple[str | None, tuple[str, ...]]:
    """What a worker for ``work`` imports before it gets ``work``: its module, or the caller's
    script when ``work`` is defined there."""
    module = getattr(getattr(work, "func", work), "__module__", None)  # see through partial()
    if module == "__main__":
        script = getattr(sys.modules["__main__"], "__file__", None)
        return (os.path.abspath(script) if script else None), ()
    return None, (module,) if module else ()


def _take_started(boot, count: int) -> list[_Worker]:
    """Up to ``count`` started workers that imported ``boot``, alive; the others are stopped."""
    taken, rest = [], []
    for worker in _started:
        fits = worker.boot == boot and len(taken) < count and worker.process.poll() is None
        (taken if fits else rest).append(worker)
    _started.clear()
    _stop_all(rest)
    return taken


def _stop_all(workers: list[_Worker]) -> None:
    for worker in workers:
        worker.stop(kill=True)


# --- in the parent ------------------------------------------------------------------------------

_WALL, _MEMORY, _CPU = "wall", "memory", "cpu"  # why the parent stopped a process
_START = "start"  # ... or that it did not get ready to read: no file is to blame
_START_SECONDS = 60.0  # how long a worker may take to start (its imports, on a busy machine)
_EXITED_SECONDS = 1.0  # how long a worker may take to end after its pipe has ended
_KILLED_SECONDS = 5.0  # how long a killed worker's pipe may stay open (held by a child of its own)


class _Watch:
    """The parent's view of one process's memory and CPU time, where no rlimit caps them."""

    def __init__(self, pid: int, limits: Limits):
        import psutil  # only where the parent enforces the limits

        self.limits = limits
        self.errors = (psutil.Error, OSError)
        self.cpu_base = 0.0
        try:
            self.process = psutil.Process(pid)
        except self.errors:  # it has ended already: its pipe tells
            self.process = None
        self.started()

    def _cpu(self) -> float:
        times = self.process.cpu_times()
        return times.user + times.system

    def _memory(self) -> int:
        info = self.process.memory_info()
        # Windows: what the process has committed (its pagefile use), even if not touched yet.
        return max(info.rss, info.vms) if sys.platform == "win32" else info.rss

    def started(self) -> None:
        """A new file begins: its CPU time counts from now."""
        if self.process is not None:
            with contextlib.suppress(*self.errors):
                self.cpu_base = self._cpu()

    def overrun(self) -> str | None:
        """``_MEMORY`` or ``_CPU`` when the process is over a limit, else None."""
        if self.process is None:
            return None
        try:
            if self.limits.memory_mb and self._memory() > self.limits.memory_mb << 20:
                return _MEMORY
            if self.limits.cpu_seconds and \
                    self._cpu() - self.cpu_base > self.limits.cpu_seconds:
                return _CPU
        except self.errors:  # it has just ended: its pipe tells
            return None
        return None


class _Worker:
    """One worker process (``ibc_xls.reading.worker``) and the thread that hands its answers,
    and the end of its output, to the queue of the pool it works for."""

    def __init__(self, boot, stderr=subprocess.DEVNULL):
        self.boot = boot
        # On Windows, Ctrl+C reaches every process of the console unless this flag is set.
        flags = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        with _ctrl_c_held():
            self.process = subprocess.Popen([sys.executable, "-c", BOOT], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=stderr,
                                            creationflags=flags)
            _live.add(self.process)  # for stop_workers(), even if Ctrl+C comes before we return
        self.lock = threading.Lock()
        self.answers: queue.SimpleQueue = queue.SimpleQueue()
        self.ended = False  # its output has ended: it has died or is about to
        self.inflight: deque[int] = deque()
        self.born = self.since = time.monotonic()
        self.ready = False  # it has confined itself and waits for files
        self.pid = self.process.pid  # the worker's own, once it tells (a venv launcher's child)
        self.watch: _Watch | None = None
        self.why: str | None = None  # why the parent killed it
        self.killed = 0.0
        with contextlib.suppress(OSError):  # a dead worker is noticed by the end of its output
            pickle.dump(list(sys.path), self.process.stdin)
            write_frame(self.process.stdin, pickle.dumps(boot))
        self.listener = threading.Thread(target=self._listen, daemon=True)
        self.listener.start()

    def _listen(self) -> None:
        try:
            while (frame := read_frame(self.process.stdout)) is not None:
                self._post(frame)
        except (OSError, ValueError):
            pass
        self._post(None)
        self.process.stdout.close()

    def _post(self, frame: bytes | None) -> None:
        with self.lock:
            if frame is None:
                self.ended = True
            self.answers.put((self, frame))

    def join(self, answers: queue.SimpleQueue, start: bytes) -> None:
        """Work for the pool whose queue is ``answers``: ``start`` is its pickled ``work``."""
        with self.lock:
            while not self.answers.empty():
                answers.put(self.answers.get())
            self.answers = answers
        self.send(start)

    def send(self, data: bytes) -> None:
        with contextlib.suppress(OSError, ValueError):  # a dead worker's output ends
            write_frame(self.process.stdin, data)

    def give(self, indices: list[int], paths: list[Path]) -> None:
        if not self.inflight:
            self.since = time.monotonic()
            if self.watch:
                self.watch.started()
        self.inflight.extend(indices)
        self.send(pickle.dumps([(i, paths[i]) for i in indices]))

    def kill(self, why: str) -> None:
        self.why, self.killed = why, time.monotonic()
        self._kill()

    def _kill(self) -> None:
        if self.pid != self.process.pid:  # Windows: the venv launcher and the real worker
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGTERM)
        with contextlib.suppress(OSError):
            self.process.kill()

    def end_input(self) -> None:
        """Close the process's input: it ends once it has answered what it was given."""
        with contextlib.suppress(OSError, ValueError):
            self.process.stdin.close()

    def stop(self, kill: bool) -> None:
        """End the process: let it finish when its input ends, or kill it now."""
        self.end_input()
        if not kill:
            # Its output ends when it does: waiting for the listener is waiting on a lock,
            # where Popen.wait with a timeout polls, sleeping up to 50 ms past the end.
            self.listener.join(_EXITED_SECONDS)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(0 if self.listener.is_alive() else _EXITED_SECONDS)
        if self.process.poll() is None:
            self._kill()
        self.process.wait()
        _live.discard(self.process)
        if kill:
            # Its output ends with it, unless a process of its own holds the pipe: then the
            # listener stays blocked, a daemon thread, until that one ends too.
            self.listener.join(_EXITED_SECONDS)


class _Pool:
    def __init__(self, paths: list[Path], work: Callable, limits: Limits, count: int):
        self.paths, self.work, self.limits = paths, work, limits
        self.boot = _boot(work)
        self.rlimits = not parent_enforces_limits()
        self.watched = not self.rlimits and bool(limits.memory_mb or limits.cpu_seconds)
        self.start = pickle.dumps((work, limits, self.rlimits))
        self.answers: queue.SimpleQueue = queue.SimpleQueue()
        self.todo: deque[int] = deque(range(len(paths)))
        self.batch = max(1, min(_MAX_BATCH, len(paths) // (count * 8)))
        self.count = count
        self.workers: list[_Worker] = []
        self.done = False

    def _new_worker(self, worker: _Worker | None = None) -> _Worker:
        worker = worker or _Worker(self.boot)
        self.workers.append(worker)
        worker.join(self.answers, self.start)
        return worker

    def run(self) -> Iterator[tuple[Path, object]]:
        for worker in _take_started(self.boot, self.count):
            self._new_worker(worker)
        while len(self.workers) < self.count:
            self._new_worker()
        while self.todo or any(w.inflight for w in self.workers):
            for worker in self.workers:
                if len(worker.inflight) < 2 and self.todo and not worker.why:
                    take = min(self.batch, len(self.todo))
                    worker.give([self.todo.popleft() for _ in range(take)], self.paths)
            for worker, frame in self._wait():
                if worker not in self.workers:
                    continue  # the last words of a worker already replaced
                if frame is None:
                    yield from self._replace(worker)
                else:
                    yield from self._take(worker, frame)
            now = time.monotonic()
            for worker in list(self.workers):
                if worker.why:
                    if now > worker.killed + _KILLED_SECONDS and not worker.ended:
                        yield from self._replace(worker)  # its pipe is held open by another
                    continue
                if not worker.ready:  # the first file's time starts when it is ready
                    why = _START if now > worker.born + _START_SECONDS else None
                elif not worker.inflight:
                    continue
                else:
                    why = _WALL if now > worker.since + self.limits.wall_seconds \
                        else worker.watch.overrun() if worker.watch else None
                if why:
                    worker.kill(why)  # its answers and the end of its output are still to come
        self.done = True

    def _wait(self) -> list[tuple[_Worker, bytes | None]]:
        """Whatever the workers have said, waiting for the first word until the nearest limit."""
        limits = [w.since + self.limits.wall_seconds if w.ready else w.born + _START_SECONDS
                  for w in self.workers if (w.inflight or not w.ready) and not w.why]
        timeout = min(limits, default=time.monotonic() + self.limits.wall_seconds) \
            - time.monotonic()
        if self.watched or any(w.why for w in self.workers):
            timeout = min(timeout, _POLL_SECONDS)
        try:
            said = [self.answers.get(timeout=max(0.0, timeout))]
        except queue.Empty:
            return []
        while not self.answers.empty():
            said.append(self.answers.get())
        return said

    def _take(self, worker: _Worker, frame: bytes):
        index, kind, value = pickle.loads(frame)
        worker.since = time.monotonic()
        if kind == READY:
            worker.ready, worker.pid = True, value
            if self.watched:
                worker.watch = _Watch(value, self.limits)
            return
        worker.inflight.remove(index)
        if worker.watch and worker.inflight:
            worker.watch.started()
        yield self._result(index, kind, value)

    def _result(self, index: int, kind: str, value) -> tuple[Path, object]:
        if kind == ERROR:
            exc, text = value
            if exc is None:
                raise WorkerError(text)
            raise exc from WorkerError(text)
        return self.paths[index], value

    def _replace(self, worker: _Worker):
        """A worker died or was stopped (``worker.why``: over which limit): blame the file it was
        on, requeue the rest of its batch and start a fresh worker in its place."""
        self.workers.remove(worker)
        worker.stop(kill=worker.why is not None)
        why, exitcode = worker.why, worker.process.returncode
        if not worker.ready and why in (None, _START):
            # No file was read yet: the process could not start (say, ``work`` could not be
            # imported in it). Blaming files would turn every one of them into a problem.
            raise IbcError(Problem("reader-failed", params={"code": exitcode}))
        culprit = worker.inflight.popleft() if worker.inflight else None
        self.todo.extendleft(reversed(worker.inflight))
        self._new_worker()
        if culprit is None:
            return
        path = self.paths[culprit]
        if why or exitcode == -_SIGXCPU:
            yield path, _crash_problem(path, exitcode, "", self.limits, why)
        else:
            yield self._solo(culprit)

    def _solo(self, index: int) -> tuple[Path, object]:
        """Read one file alone in a fresh process, keeping its error output to explain a crash."""
        path = self.paths[index]
        with tempfile.TemporaryFile(prefix="ibc-xls-", suffix=".stderr") as stderr:
            worker = _Worker(self.boot, stderr=stderr)
            try:
                answers: queue.SimpleQueue = queue.SimpleQueue()
                worker.join(answers, self.start)
                worker.give([index], self.paths)
                why, answer = self._wait_alone(worker, answers)
                if answer is not None:
                    return self._result(index, *answer[1:])
                worker.stop(kill=True)
                stderr.seek(0)
                text = stderr.read(1 << 20).decode("utf-8", "replace")
                return path, _crash_problem(path, worker.process.returncode, text, self.limits,
                                            why)
            finally:
                worker.stop(kill=True)

    def _wait_alone(self, worker: _Worker, answers: queue.SimpleQueue):
        """Wait for the lone worker's answer or end: the limit it overran, if any, and its
        answer, if it gave one."""
        deadline = time.monotonic() + _START_SECONDS  # then the file's own time, once ready
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return _WALL, None
            try:
                _, frame = answers.get(timeout=min(left, _POLL_SECONDS) if self.watched
                                       else left)
            except queue.Empty:
                frame = b""
            if frame is None:  # it ended without an answer
                return None, None
            if frame:
                answer = pickle.loads(frame)
                if answer[1] != READY:
                    return None, answer
                deadline = time.monotonic() + self.limits.wall_seconds  # as in the pool
                if self.watched:
                    worker.watch = _Watch(answer[2], self.limits)
            why = worker.watch.overrun() if worker.watch else None
            if why:
                return why, None

    def close(self) -> None:
        if self.done:  # all of them end at once, not one after the other
            for worker in self.workers:
                worker.end_input()
        for worker in self.workers:
            worker.stop(kill=not self.done)
        self.workers = []


def _crash_problem(path: Path, exitcode: int | None, stderr: str, limits: Limits,
                   why: str | None = None) -> Problem:
    """Why a process reading one file ended without an answer: ``why`` is the limit the parent
    stopped it for, if it did."""
    if why == _WALL:
        return too_large(path, "wall", seconds=limits.wall_seconds)
    if why == _CPU or exitcode == -_SIGXCPU:
        return too_large(path, "cpu", seconds=limits.cpu_seconds)
    memory = ("memory allocation of", "MemoryError", "out of memory", "Cannot allocate memory")
    if why == _MEMORY or any(text in stderr for text in memory) or \
            exitcode == -getattr(signal, "SIGKILL", -1000):
        return too_large(path, "memory", mb=limits.memory_mb)
    detail = f"exit code {exitcode}; {stderr.strip()[-1000:]}"
    return Problem("file-unreadable", file=str(path), params={
        "why": "crashed", "detail": detail})
