"""Run a function over many files in worker processes that a bad file cannot take down.

A pool of long-lived workers (one per core) takes the files in batches and answers file by
file, so the parent always knows which file a worker was on. Each worker runs under a memory
limit (RLIMIT_AS) and a per-file CPU limit (RLIMIT_CPU), and the parent enforces a per-file
wall-time limit. When a worker dies (a segfault or Rust abort in native code, memory exhausted,
CPU time exceeded) or overruns its time, the file it was on gets one problem, the rest of its
batch goes back to the queue and a fresh worker takes its place. A file on which a worker died
is read once more alone, in a fresh process whose error output is kept, to tell memory
exhaustion from a crash and to give the file a second chance if the worker died of something
else.

Windows has no fork server and no rlimits. There workers are spawned, and the parent enforces
the memory and CPU limits itself: it polls each busy worker's memory use and CPU time (psutil)
and kills a worker that exceeds them, as it does one that overruns its time. The reader's own
checks (``ibc_xls.reading.sniff``, the sheet extents in ``ibc_xls.reading.rawread``) refuse the
known bombs before calamine allocates anything, so the polled limits are a second line. Setting the
environment variable ``IBC_XLS_ISOLATION=windows`` gives this mode on any system, for tests.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing as mp
import multiprocessing.connection
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ibc_xls.problems import IbcError, Problem

try:
    import resource
except ImportError:  # Windows
    resource = None

T = TypeVar("T")

_OK, _PROBLEM, _ERROR = "ok", "problem", "error"
_SIGXCPU = getattr(signal, "SIGXCPU", 1000)  # no such signal on Windows
_READY = (-1, _OK, None)
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
    with ``reader-failed``. ``workers`` defaults to the number of CPUs.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        return
    count = max(1, min(workers or os.cpu_count() or 1, len(paths)))
    pool = _Pool(paths, work, limits, count)
    try:
        yield from pool.run()
    finally:
        pool.close()


def prestart(work: Callable) -> None:
    """Start the fork server for ``work`` now: it imports the reader (a tenth of a second)
    while the caller goes on finding files, instead of when the first worker is needed."""
    if _context(work).get_start_method() == "forkserver":
        from multiprocessing import forkserver

        with _ctrl_c_held():
            forkserver.ensure_running()


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
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()  # it unblocks Ctrl+C after starting itself
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


def stop_workers() -> None:
    """Kill the reader processes still running. After Ctrl+C a pool may not be closed yet
    (its generator can wait in a traceback), and the fork server outlives every process
    it started: stop_helpers() would wait for it for good."""
    for process in mp.active_children():
        process.kill()
        process.join()


def stop_helpers() -> None:
    """Stop the fork server and the resource tracker that ``run_isolated`` started. They stay
    alive until the program ends, holding 30–40 MB that the report may need; the next
    ``run_isolated`` starts them again. Uses multiprocessing's own stop methods, private
    but present since Python 3.8; without them, nothing happens."""
    try:
        from multiprocessing import forkserver, resource_tracker
    except ImportError:  # a platform without them has nothing to stop
        return
    for helper in (getattr(forkserver, "_forkserver", None),
                   getattr(resource_tracker, "_resource_tracker", None)):
        stop = getattr(helper, "_stop", None)
        if stop is not None:
            with contextlib.suppress(OSError, ChildProcessError):
                stop()


# --- in the worker ------------------------------------------------------------------------------

def _confine(limits: Limits, stderr_path: str | None, rlimits: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    fd = os.open(stderr_path or os.devnull, os.O_WRONLY)
    os.dup2(fd, 2)  # native crash reports must not spill into the user's terminal
    os.close(fd)
    if not rlimits:  # the parent enforces the limits
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limits.memory_mb:
        _lower(resource.RLIMIT_AS, limits.memory_mb << 20)


def _lower(which: int, soft: int) -> None:
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


def _arm_cpu(limits: Limits, rlimits: bool) -> None:
    if not rlimits or not limits.cpu_seconds:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _lower(resource.RLIMIT_CPU, int(usage.ru_utime + usage.ru_stime) + 1 + limits.cpu_seconds)


def _too_large(path: Path, why: str, **params) -> Problem:
    return Problem("file-too-large", file=str(path), params={"why": why, **params})


def _call(work: Callable, path: Path) -> tuple[str, object]:
    try:
        return _OK, work(path)
    except IbcError as exc:
        problem = exc.problems[0]
        return _PROBLEM, problem if problem.file else dataclasses.replace(problem, file=str(path))
    except MemoryError:
        return _PROBLEM, _too_large(path, "out-of-memory")
    except Exception as exc:
        text = traceback.format_exc()
        try:
            pickle.dumps(exc)
        except Exception:
            exc = None
        return _ERROR, (exc, text)


def _send(conn, index: int, path: Path, outcome: tuple[str, object]) -> None:
    try:
        conn.send((index, *outcome))
    except MemoryError:
        conn.send((index, _PROBLEM, _too_large(path, "out-of-memory")))
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        conn.send((index, _ERROR, (None, f"result of work({path!s}) cannot be pickled: {exc!r}")))


def _worker_main(conn, work: Callable, limits: Limits, rlimits: bool = True) -> None:
    _confine(limits, None, rlimits)
    conn.send(_READY)  # the time limit of the first file starts now, not at the process start
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            return
        if batch is None:
            return
        for index, path in batch:
            _arm_cpu(limits, rlimits)
            _send(conn, index, path, _call(work, path))


def _solo_main(conn, work: Callable, limits: Limits, path: Path, stderr_path: str,
               rlimits: bool = True) -> None:
    _confine(limits, stderr_path, rlimits)
    _arm_cpu(limits, rlimits)
    _send(conn, 0, path, _call(work, path))


# --- in the parent ------------------------------------------------------------------------------

def _context(work: Callable):
    if parent_enforces_limits() or "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    # Import the reader once in the fork server, not in every worker. A preload list also
    # makes the server inherit sys.path, which ``work``'s module may need.
    module = getattr(getattr(work, "func", work), "__module__", None)  # see through partial()
    ctx.set_forkserver_preload([__name__] + ([module] if module and module != "__main__" else []))
    return ctx


_WALL, _MEMORY, _CPU = "wall", "memory", "cpu"  # why the parent stopped a process


class _Watch:
    """The parent's view of one process's memory and CPU time, where no rlimit caps them."""

    def __init__(self, pid: int, limits: Limits):
        import psutil  # only where the parent enforces the limits

        self.limits = limits
        self.errors = (psutil.Error, OSError)
        self.cpu_base = 0.0
        try:
            self.process = psutil.Process(pid)
        except self.errors:  # it has ended already: its sentinel tells
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
        except self.errors:  # it has just ended: its sentinel tells
            return None
        return None


class _Worker:
    def __init__(self, ctx, work: Callable, limits: Limits, rlimits: bool, watched: bool,
                 started: list):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, work, limits, rlimits),
                                   daemon=True)
        with _ctrl_c_held():
            self.process.start()
            started.append(self.process)  # for close(), even if Ctrl+C comes before we return
        child.close()
        self.inflight: deque[int] = deque()
        self.since = time.monotonic()
        self.ready = False  # it has confined itself and waits for files
        self.watch = _Watch(self.process.pid, limits) if watched else None

    def give(self, indices: list[int], paths: list[Path]) -> None:
        if not self.inflight:
            self.since = time.monotonic()
            if self.watch:
                self.watch.started()
        self.inflight.extend(indices)
        with contextlib.suppress(OSError):  # a dead worker is noticed by its sentinel
            self.conn.send([(i, paths[i]) for i in indices])

    def stop(self, kill: bool) -> None:
        if not kill:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(1.0)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


class _Pool:
    def __init__(self, paths: list[Path], work: Callable, limits: Limits, count: int):
        self.paths, self.work, self.limits = paths, work, limits
        self.ctx = _context(work)
        self.rlimits = not parent_enforces_limits()
        self.watched = not self.rlimits and bool(limits.memory_mb or limits.cpu_seconds)
        self.todo: deque[int] = deque(range(len(paths)))
        self.batch = max(1, min(_MAX_BATCH, len(paths) // (count * 8)))
        self.count = count
        self.workers: list[_Worker] = []
        self.started: list = []  # every worker process, also one a Ctrl+C kept off the list
        self.done = False

    def _new_worker(self) -> _Worker:
        return _Worker(self.ctx, self.work, self.limits, self.rlimits, self.watched,
                       self.started)

    def run(self) -> Iterator[tuple[Path, object]]:
        while len(self.workers) < self.count:
            self.workers.append(self._new_worker())
        while self.todo or any(w.inflight for w in self.workers):
            for worker in self.workers:
                if len(worker.inflight) < 2 and self.todo:
                    take = min(self.batch, len(self.todo))
                    worker.give([self.todo.popleft() for _ in range(take)], self.paths)
            busy = [w for w in self.workers if w.inflight]
            deadline = min(w.since for w in busy) + self.limits.wall_seconds
            timeout = max(0.0, deadline - time.monotonic())
            if self.watched:
                timeout = min(timeout, _POLL_SECONDS)
            waitables = [w.conn for w in busy] + [w.process.sentinel for w in busy]
            ready = set(mp.connection.wait(waitables, timeout))
            for slot, worker in enumerate(self.workers):
                if worker.conn in ready or worker.process.sentinel in ready:
                    alive = yield from self._drain(worker)
                    if not alive or not worker.process.is_alive():
                        yield from self._replace(slot, None)
                    continue
                if not worker.inflight:
                    continue
                why = _WALL if time.monotonic() > worker.since + self.limits.wall_seconds \
                    else worker.watch.overrun() if worker.watch and worker.ready else None
                if why:
                    worker.process.kill()
                    worker.process.join()
                    yield from self._drain(worker)
                    yield from self._replace(slot, why)
        self.done = True

    def _drain(self, worker: _Worker):
        """Take every answer waiting from a worker; False when its pipe is closed."""
        try:
            while worker.conn.poll():
                index, kind, value = worker.conn.recv()
                worker.since = time.monotonic()
                if index == _READY[0]:
                    worker.ready = True
                else:
                    worker.inflight.remove(index)
                    if worker.watch and worker.inflight:
                        worker.watch.started()
                    yield self._result(index, kind, value)
        except (EOFError, OSError):
            return False
        return True

    def _result(self, index: int, kind: str, value) -> tuple[Path, object]:
        if kind == _ERROR:
            exc, text = value
            if exc is None:
                raise WorkerError(text)
            raise exc from WorkerError(text)
        return self.paths[index], value

    def _replace(self, slot: int, why: str | None):
        """A worker died or was stopped (``why``: over which limit): blame the file it was on,
        requeue the rest of its batch and start a fresh worker in its place."""
        worker = self.workers[slot]
        yield from self._drain(worker)  # answers sent just before it died are still good
        worker.stop(kill=True)
        if not worker.ready and not why:
            # No file was read yet: the process could not start (say, ``work`` could not be
            # imported in it). Blaming files would turn every one of them into a problem.
            raise IbcError(Problem("reader-failed", params={"code": worker.process.exitcode}))
        culprit = worker.inflight.popleft() if worker.inflight else None
        self.todo.extendleft(reversed(worker.inflight))
        self.workers[slot] = self._new_worker()
        if culprit is None:
            return
        path = self.paths[culprit]
        if why or worker.process.exitcode == -_SIGXCPU:
            yield path, _crash_problem(path, worker.process.exitcode, "", self.limits, why)
        else:
            yield self._solo(culprit)

    def _solo(self, index: int) -> tuple[Path, object]:
        """Read one file alone in a fresh process, keeping its error output to explain a crash."""
        path = self.paths[index]
        fd, stderr_path = tempfile.mkstemp(prefix="ibc-xls-", suffix=".stderr")
        os.close(fd)
        receiver, sender = self.ctx.Pipe(duplex=False)
        process = self.ctx.Process(target=_solo_main, daemon=True,
                                   args=(sender, self.work, self.limits, path, stderr_path,
                                         self.rlimits))
        try:
            with _ctrl_c_held():
                process.start()
            sender.close()
            why = self._wait_alone(process, receiver)
            if why is None:
                with contextlib.suppress(EOFError, OSError):
                    _, kind, value = receiver.recv()
                    return self._result(index, kind, value)
            if process.is_alive():
                process.kill()
            process.join()
            with open(stderr_path, encoding="utf-8", errors="replace") as f:
                stderr = f.read(1 << 20)
            return path, _crash_problem(path, process.exitcode, stderr, self.limits, why)
        finally:
            if process.is_alive():
                process.kill()
            receiver.close()
            with contextlib.suppress(OSError):
                os.unlink(stderr_path)

    def _wait_alone(self, process, receiver) -> str | None:
        """Wait for the lone process's answer or end; the limit it overran, if any."""
        deadline = time.monotonic() + self.limits.wall_seconds
        watch = _Watch(process.pid, self.limits) if self.watched else None
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return _WALL
            if mp.connection.wait([receiver, process.sentinel],
                                  min(left, _POLL_SECONDS) if watch else left):
                return None
            why = watch.overrun() if watch else None
            if why:
                return why

    def close(self) -> None:
        for worker in self.workers:
            worker.stop(kill=not self.done)
        for process in self.started:
            if process.is_alive():
                process.kill()
                process.join()


def _crash_problem(path: Path, exitcode: int | None, stderr: str, limits: Limits,
                   why: str | None = None) -> Problem:
    """Why a process reading one file ended without an answer: ``why`` is the limit the parent
    stopped it for, if it did."""
    if why == _WALL:
        return _too_large(path, "wall", seconds=limits.wall_seconds)
    if why == _CPU or exitcode == -_SIGXCPU:
        return _too_large(path, "cpu", seconds=limits.cpu_seconds)
    memory = ("memory allocation of", "MemoryError", "out of memory", "Cannot allocate memory")
    if why == _MEMORY or any(text in stderr for text in memory) or \
            exitcode == -getattr(signal, "SIGKILL", -1000):
        return _too_large(path, "memory", mb=limits.memory_mb)
    detail = f"exit code {exitcode}; {stderr.strip()[-1000:]}"
    return Problem("file-unreadable", file=str(path), params={
        "why": "crashed", "detail": detail})
