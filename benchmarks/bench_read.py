"""How fast returned workbooks are read: isolated reading against plain python-calamine.

Run by hand: ``python benchmarks/bench_read.py [N] [--workers W]`` (N defaults to 1000).

It makes a school's working folder, generates every respondent's workbook, fills the input
cells of each with random values by openpyxl (a few distinct fillings per respondent, about
1,300 cells per workbook), writes N files cycling through those fillings, then times:

* calamine: one process, ``CalamineWorkbook.from_path`` and ``to_python`` of every sheet;
* read_raw: one process, ``ibc_xls.rawread.read_raw`` (adds the safety checks, formula flags,
  properties and trimming);
* isolated: ``run_isolated(paths, read_raw)``, the whole RawWorkbook sent back to the parent,
  pool start-up included;
* isolated, count: the same with a work function that returns only a cell count, to show what
  sending the values back costs.

Each figure is the best of three runs after one warm-up: the elapsed time, and the CPU time of
all the processes involved (the parent's and each worker's own count), which stays meaningful
when other programs compete for the CPUs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import openpyxl
import python_calamine

from ibc_xls.config import load_config
from ibc_xls.generate import build
from ibc_xls.isolate import run_isolated
from ibc_xls.layout import FIRST_DATA_ROW
from ibc_xls.problems import Problem
from ibc_xls.rawread import read_raw
from ibc_xls.respondents import respondents
from ibc_xls.workspace import init_workspace

FILLINGS = 3  # distinct fillings per respondent


def read_all(path: Path):
    """The work function: every sheet of one workbook as a RawWorkbook, with the worker's id
    and CPU time so far."""
    return read_raw(path), os.getpid(), time.process_time()


def count_cells(path: Path):
    """A work function whose result is small: the number of cells read."""
    cells = sum(len(r) for s in read_raw(path).sheets.values() for r in s.rows)
    return cells, os.getpid(), time.process_time()


def calamine_cells(path: Path) -> int:
    book = python_calamine.CalamineWorkbook.from_path(path)
    return sum(len(row) for name in book.sheet_names
               for row in book.get_sheet_by_name(name).to_python())


def _value(column, config, rnd: random.Random):
    if column.type == "date":
        return dt.datetime(config.academic_year, 10, rnd.randint(1, 28))
    if column.type == "integer":
        return rnd.randint(0, 5)
    if column.type == "decimal":
        return rnd.randint(0, 50) / 10
    if column.type == "choice":
        return rnd.choice(column.choices)
    if column.type == "class":
        return rnd.choice(config.classes).name
    return rnd.choice(["Иванова Мария", "Книга о книгах", "Приказ № 12", "Конкурс чтецов"])


def make_workbooks(folder: Path, count: int) -> list[Path]:
    """``count`` filled workbooks in ``folder``."""
    root = folder / "школа"
    init_workspace(root, today=dt.date(2026, 11, 25))
    config = load_config(root)
    people = respondents(config, config.specs())
    rnd = random.Random(2026)
    samples = []
    for person in people:
        blank = folder / f"blank-{person.id}.xlsx"
        blank.write_bytes(build(person, config, dt.datetime(config.academic_year, 9, 1)))
        for n in range(FILLINGS):
            book = openpyxl.load_workbook(blank)
            for form in person.forms:
                sheet = book[form.sheet]
                for i in range(form.row_count):
                    for j, column in enumerate(form.columns):
                        if not column.prefilled:
                            sheet.cell(FIRST_DATA_ROW + 1 + i, j + 1,
                                       _value(column, config, rnd))
            sample = folder / f"sample-{person.id}-{n}.xlsx"
            book.save(sample)
            samples.append(sample)
    returned = folder / "returned"
    returned.mkdir()
    paths = []
    for i in range(count):
        path = returned / f"{i:05d}-{samples[i % len(samples)].name}"
        shutil.copyfile(samples[i % len(samples)], path)
        paths.append(path)
    return paths


def best(label: str, run, paths: list[Path], baseline: tuple[float, float] | None = None):
    """Time ``run`` (which returns the CPU seconds of its worker processes, if any)."""
    run()
    walls, cpus = [], []
    for _ in range(3):
        start, cpu = time.perf_counter(), time.process_time()
        workers = run() or 0.0
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu + workers)
    wall, cpu = min(walls), min(cpus)
    ratio = f"  {wall / baseline[0]:5.2f}× / {cpu / baseline[1]:5.2f}×" if baseline else ""
    print(f"{label:24s} {wall:7.3f} s {wall / len(paths) * 1e3:6.3f} ms/file  "
          f"CPU {cpu:7.3f} s{ratio}")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ibc-xls-bench-") as tmp:
        start = time.perf_counter()
        paths = make_workbooks(Path(tmp), args.count)
        cells = sum(calamine_cells(p) for p in paths)
        print(f"{len(paths)} workbooks, {cells} cells, {os.cpu_count()} CPUs, "
              f"python-calamine {version('python-calamine')} "
              f"(made in {time.perf_counter() - start:.1f} s)")

        def isolated(work):
            def run() -> float:
                results = list(run_isolated(paths, work, workers=args.workers))
                failed = [r for _, r in results if isinstance(r, Problem)]
                assert len(results) == len(paths) and not failed, failed[:3]
                cpu: dict[int, float] = {}
                for _, (_, pid, seconds) in results:
                    cpu[pid] = max(cpu.get(pid, 0.0), seconds)
                return sum(cpu.values())
            return run

        print(f"{'':24s} {'elapsed':>9s} {'per file':>13s}  {'CPU':>11s}  vs calamine "
              "(elapsed / CPU)")
        def serial(read):
            def run() -> None:
                for path in paths:
                    read(path)
            return run

        base = best("calamine, 1 process", serial(calamine_cells), paths)
        best("read_raw, 1 process", serial(read_raw), paths, base)
        best("isolated read_raw", isolated(read_all), paths, base)
        best("isolated, count only", isolated(count_cells), paths, base)


if __name__ == "__main__":
    sys.exit(main())
