"""The worker side of ``ibc_xls.reading.isolate``: a process that reads files one by one under the
limits it was given and answers the parent file by file.

The parent starts it as ``python -c BOOT`` with pipes for its standard input and output; there is
no fork server and no resource tracker in between. The parent first writes its ``sys.path``
(pickled, read by ``BOOT``), then frames (an 8-byte length and a pickle): which modules to import
now (and the script, when ``work`` lives in one), later ``work`` with its limits, then batches of
files. The worker answers with frames: ``READY`` with its process id once it has confined itself,
then one answer per file. A worker waiting for ``work`` is a started one
(``isolate.prestart``): the imports, the slow part of starting, are done while the caller is still
finding files.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import pickle
import runpy
import signal
import sys
import traceback
import types
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ibc_xls.problems import IbcError, Problem

try:
    import resource
except ImportError:  # Windows
    resource = None

BOOT = ("import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); "
        "from ibc_xls.reading.worker import serve; serve()")
OK, PROBLEM, ERROR, READY = "ok", "problem", "error", "ready"
_HEAD = 8  # bytes of a frame's length


def write_frame(stream: BinaryIO, data: bytes) -> None:
    stream.write(len(data).to_bytes(_HEAD, "little"))
    stream.write(data)
    stream.flush()


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame, or None at the end of the stream (the other side has ended)."""
    head = stream.read(_HEAD)
    if len(head) < _HEAD:
        return None
    size = int.from_bytes(head, "little")
    data = stream.read(size)
    return data if len(data) == size else None


def too_large(path: Path, why: str, **params) -> Problem:
    return Problem("file-too-large", file=str(path), params={"why": why, **params})


def serve() -> None:
    """The worker's life: imports, then ``work``, then files until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    answers = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)  # whatever ``work`` prints must not mix with the answers
    os.close(null)
    requests = sys.stdin.buffer
    sys.stdin = None  # the pipe is the parent's channel, not ``work``'s input
    frame = read_frame(requests)
    if frame is None:
        return
    script, modules = pickle.loads(frame)
    if script:
        _run_script(script)
    for module in modules:
        importlib.import_module(module)
    frame = read_frame(requests)
    if frame is None:  # stopped before it was needed
        _end()
    work, limits, rlimits = pickle.loads(frame)
    _confine(limits, rlimits)
    write_frame(answers, pickle.dumps((-1, READY, os.getpid())))
    while (frame := read_frame(requests)) is not None:
        for index, path in pickle.loads(frame):
            _arm_cpu(limits, rlimits)
            write_frame(answers, _answer(index, path, _call(work, path)))
    _end()


def _end() -> None:
    """End the process now that every answer is written (each frame is flushed). The
    interpreter's own shutdown, freeing every module and object one by one, takes tens of
    milliseconds that the parent, waiting for its workers to end, would spend idle; as a
    multiprocessing worker does, the process ends without it."""
    os._exit(0)


def _run_script(path: str) -> None:
    """Make the caller's script importable as ``__main__``, as multiprocessing's spawn does: a
    ``work`` defined there pickles as ``__main__.work``. The script's
    ``if __name__ == "__main__":`` part does not run."""
    module = types.ModuleType("__mp_main__")
    module.__dict__.update(runpy.run_path(path, run_name="__mp_main__"))
    sys.modules["__main__"] = sys.modules["__mp_main__"] = module


def _confine(limits, rlimits: bool) -> None:
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


def _arm_cpu(limits, rlimits: bool) -> None:
    if not rlimits or not limits.cpu_seconds:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _lower(resource.RLIMIT_CPU, int(usage.ru_utime + usage.ru_stime) + 1 + limits.cpu_seconds)


def _call(work: Callable, path: Path) -> tuple[str, object]:
    try:
        return OK, work(path)
    except IbcError as exc:
        problem = exc.problems[0]
        return PROBLEM, problem if problem.file else dataclasses.replace(problem, file=str(path))
    except MemoryError:
        return PROBLEM, too_large(path, "out-of-memory")
    except Exception as exc:
        text = traceback.format_exc()
        try:
            pickle.dumps(exc)
        except Exception:
            exc = None
        return ERROR, (exc, text)


def _answer(index: int, path: Path, outcome: tuple[str, object]) -> bytes:
    try:
        return pickle.dumps((index, *outcome), pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return pickle.dumps((index, PROBLEM, too_large(path, "out-of-memory")))
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        return pickle.dumps((index, ERROR,
                             (None, f"result of work({path!s}) cannot be pickled: {exc!r}")))
