"""``generate`` of many blank workbooks, in worker processes and in one.

Run by hand: ``python benchmarks/bench_generate.py [N] [--runs R]`` (N defaults to 1000).

A school with 297 classes (11 grades, 27 letters) has 298 respondents; ``generate`` writes
their workbooks into fresh folders until N are written, once with one worker per core (as
``ibc-xls generate`` does for ``PARALLEL_FROM`` respondents or more) and once in this process.
It prints the median wall time of R rounds, scaled to N workbooks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

LETTERS = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ"


def school(root: Path):
    from ibc_xls.settings.config import load_config
    from ibc_xls.settings.workspace import init_workspace

    init_workspace(root, today=dt.date(2026, 9, 1))
    path = root / "ibc-xls.toml"
    text = path.read_text(encoding="utf-8")
    text = text[:re.search(r"(?m)^\[\[classes\]\]", text).start()]
    classes = [f'[[classes]]\nname = "{grade}{letter}"\nteacher = "Учитель {grade}{letter}"\n'
               f"pupils = 25\n" for grade in range(1, 12) for letter in LETTERS]
    path.write_text(text + "\n".join(classes), encoding="utf-8")
    return load_config(root)


def run(config, count: int, workers: int | None, out: Path) -> float:
    from ibc_xls.blanks.generate import generate

    start = time.perf_counter()
    made, round_ = 0, 0
    while made < count:
        outcomes = generate(config, out / f"{workers}-{round_}", workers=workers)
        made += len(outcomes)
        round_ += 1
    return (time.perf_counter() - start) * count / made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = school(Path(tmp) / "школа")
        print(f"{args.count} workbooks; {os.cpu_count()} CPUs; "
              f"load average {os.getloadavg()[0]:.2f}")
        for label, workers in (("workers, one per core", os.cpu_count()), ("one process", 1)):
            times = []
            for i in range(args.runs):
                times.append(run(config, args.count, workers, Path(tmp) / f"out{i}"))
            print(f"{label:22s} {statistics.median(times):6.2f} s  (runs: "
                  f"{', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main()
