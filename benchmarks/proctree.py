"""The process tables the benchmarks sample memory from (Linux only: read from /proc)."""

from __future__ import annotations

import os


def processes() -> dict[int, tuple[int, int, bytes]]:
    """pid → (parent pid, resident bytes, command line) of every process now."""
    found = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                command = f.read()
            found[int(entry)] = (int(fields[1]), int(fields[21]) * page, command)
        except (OSError, IndexError, ValueError):
            continue
    return found


def descendants(pid: int, procs: dict[int, tuple[int, int, bytes]]) -> list[int]:
    """``pid`` and every process below it in ``procs``."""
    children: dict[int, list[int]] = {}
    for p, (parent, _, _) in procs.items():
        children.setdefault(parent, []).append(p)
    found, stack = [], [pid]
    while stack:
        p = stack.pop()
        found.append(p)
        stack += children.get(p, [])
    return found


def tree_rss(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, summed, in bytes."""
    procs = processes()
    return sum(procs[p][1] for p in descendants(pid, procs) if p in procs)
