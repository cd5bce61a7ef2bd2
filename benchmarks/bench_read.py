"""How fast returned workbooks are read: isolated reading against plain python-calamine.

Run by hand: ``python benchmarks/bench_read.py [N] [--workers W]`` (N defaults to 1000).

It makes a school's working folder, generates every respondent's workbook, fills the input
cells of each with random values by openpyxl (a few distinct fillings per respondent, about
1,300 cells per workbook), writes N files cycling through those fillings, then times:

* calamine: one process, ``CalamineWorkbook.from_path`` and ``to_python`` of every sheet;
* read_raw: one process, ``ibc_xls.reading.rawread.read_raw`` (adds the safety checks, formula
  flags, properties and trimming);
* isolated: ``run_isolated(paths, read_raw)``, the whole RawWorkbook sent back to the parent,
  pool start-up included;
* isolated, count: the same with a work function that returns only a cell count, to show what
  sending the values back costs.

Each figure is the best of three runs after one warm-up (pool start-up included in the
isolated runs). Run it on an otherwise idle machine: the load average is printed first.
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

import python_calamine

from ibc_xls.problems import Problem
from ibc_xls.reading.isolate import run_isolated
from ibc_xls.reading.rawread import read_raw

FILLINGS = 3  # distinct fillings per respondent


def read_all(path: Path):
    """The work function: every sheet of one workbook as a RawWorkbook."""
    return read_raw(path)


def count_cells(path: Path) -> int:
    """A work function whose result is small: the number of cells read."""
    return sum(len(r) for s in read_raw(path).sheets.values() for r in s.rows)


def calamine_cells(path: Path) -> int:
    book = python_calamine.CalamineWorkbook.from_path(path)
    return sum(len(row) for name in book.sheet_names
               for row in book.get_sheet_by_name(name).to_python())


def _value(column, config, rnd: random.Random):
    """A random value as a person would enter it in ``column``."""
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
    # Imported here: the workers import this module too, and need none of it.
    import openpyxl

    from ibc_xls.blanks.generate import build
    from ibc_xls.forms.layout import FIRST_DATA_ROW
    from ibc_xls.settings.config import load_config
    from ibc_xls.settings.respondents import respondents
    from ibc_xls.settings.workspace import init_workspace

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


def best(label: str, run, paths: list[Path], baseline: float | None = None) -> float:
    run()
    times = []
    for _ in range(3):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    seconds = min(times)
    ratio = f"  {seconds / baseline:5.2f}× calamine" if baseline else ""
    print(f"{label:24s} {seconds:7.3f} s  {seconds / len(paths) * 1e3:6.3f} ms/file{ratio}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ibc-xls-bench-") as tmp:
        start = time.perf_counter()
        paths = make_workbooks(Path(tmp), args.count)
        cells = sum(calamine_cells(p) for p in paths)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"load average {load:.2f}; "
              f"{len(paths)} workbooks, {cells} cells, {os.cpu_count()} CPUs, "
              f"python-calamine {version('python-calamine')} "
              f"(made in {time.perf_counter() - start:.1f} s)")

        def isolated(work):
            def run() -> None:
                results = list(run_isolated(paths, work, workers=args.workers))
                failed = [r for _, r in results if isinstance(r, Problem)]
                assert len(results) == len(paths) and not failed, failed[:3]
            return run

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
