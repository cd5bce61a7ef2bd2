"""The whole ``collect`` against a naive pandas script and the python-calamine reading floor.

Run by hand: ``python benchmarks/bench_collect.py [N] [--runs R]`` (N defaults to 1000).

It makes N realistic returned workbooks once (cached in the system's temp folder): a school's
blanks filled with valid values by openpyxl, each with its own respondent, about as many
filled cells as a real return. Then, R rounds of each, in a fresh process so that memory is the
whole process (its workers included), it runs:

* floor: python-calamine reading every cell of every sheet of every file, nothing else;
* naive: a competent user's pandas script: ``read_excel(sheet_name=None)`` per file with the
  default engine (openpyxl, named so that pandas does not warn), one ``concat`` per sheet
  name, one xlsx written by ``to_excel``;
* collect: ``ibc_xls.report.collect.collect`` for the April report, report workbook included;
* check: ``ibc_xls.checking.check.check_paths`` alone (reading and validating, no report).

It prints the median wall time, the peak memory of the process tree (resident memory of the
process and all its children, summed, sampled in one more run of its own) and the ratios.
Linux only (memory is sampled from /proc).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

from proctree import tree_rss  # benchmarks/proctree.py

CORPUS_VERSION = 3
TODAY = dt.date(2027, 4, 5)
PUPILS = ["Иванов Пётр", "Смирнова Анна", "Кузнецов Илья", "Попова Мария", "Соколов Артём",
          "Лебедева Софья", "Козлов Максим", "Новикова Дарья", "Морозов Иван", "Волкова Алиса",
          "Павлов Егор", "Семёнова Вера", "Голубев Марк", "Виноградова Ева", "Богданов Лев"]


def _date(config, rnd: random.Random) -> dt.datetime:
    start = dt.date(config.academic_year, 10, 1)
    return dt.datetime.combine(start + dt.timedelta(days=rnd.randint(0, 170)), dt.time())


def _row(form, config, person, rnd: random.Random, i: str) -> dict:
    """Valid values for one row of ``form`` as a person would enter them."""
    values = {}
    for c in form.columns:
        if c.prefilled or c.default:
            continue
        if c.type == "date":
            values[c.key] = _date(config, rnd)
        elif c.type == "integer":
            lo, hi = int(c.min or 0), int(c.max if c.max is not None else 100)
            values[c.key] = rnd.randint(lo, min(hi, lo + 5))
        elif c.type == "choice":
            values[c.key] = rnd.choice(c.choices)
        elif c.type == "class":
            values[c.key] = person.class_name or config.classes[0].name
        elif c.key in ("pupil", "person", "participant"):
            values[c.key] = f"{rnd.choice(PUPILS)} {i}"
        else:
            values[c.key] = rnd.choice(["Книга о книгах", "Приказ № 12-о", "Конкурс чтецов"])
    if form.id == "textbooks":
        values.update(issued=300, checked=250, good=200, satisfactory=30, unsatisfactory=10,
                      lost=5)
    if form.id == "courses":
        values["end"] = values["start"]
    if form.id == "roadmap":
        values.update(status="Выполнено", result="Приказ № 1")
    if form.id == "meetings":
        values["topic"] = form.column("topic").choices[0]
    return values


def _make_one(args) -> str:
    import openpyxl

    from ibc_xls.blanks.generate import build
    from ibc_xls.forms.layout import FIRST_DATA_ROW
    from ibc_xls.settings.config import load_config
    from ibc_xls.settings.respondents import Respondent, respondents

    root, index, out = args
    config = load_config(Path(root))
    people = respondents(config, config.specs())
    base = people[index % len(people)]
    # An id of its own that the identity checks accept: «class_5А_7» would claim class «5А_7».
    person = Respondent(f"b{index}-{base.id}", base.role, base.name, base.forms, base.class_name)
    rnd = random.Random(index)
    blank = build(person, config, dt.datetime(config.academic_year, 9, 1))
    path = Path(out) / f"{index:05d}.xlsx"
    path.write_bytes(blank)
    book = openpyxl.load_workbook(path)
    for form in person.forms:
        sheet = book[form.sheet]
        rows = form.row_count if form.rows == "fixed" else rnd.randint(
            form.row_count // 3, form.row_count * 2 // 3)
        for i in range(rows):
            for key, value in _row(form, config, person, rnd, f"{index}-{i}").items():
                col = [c.key for c in form.columns].index(key)
                sheet.cell(FIRST_DATA_ROW + 1 + i, col + 1, value)
    book.save(path)
    return str(path)


def corpus(count: int) -> tuple[Path, Path]:
    """The working folder and its returned folder with ``count`` filled workbooks."""
    from ibc_xls.settings.workspace import init_workspace

    root = Path(tempfile.gettempdir()) / f"ibc-xls-bench-{CORPUS_VERSION}-{count}"
    returned = root / "сданные"
    done = root / "done"
    if done.exists():
        return root, returned
    init_workspace(root, today=TODAY)
    returned.mkdir(exist_ok=True)
    with Pool() as pool:
        pool.map(_make_one, [(str(root), i, str(returned)) for i in range(count)],
                 chunksize=8)
    done.write_text("ok")
    return root, returned


FLOOR = """
import sys, python_calamine
from pathlib import Path
cells = 0
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        cells += sum(len(r) for r in book.get_sheet_by_name(name).to_python())
print(cells)
"""

NAIVE = """
import sys
from pathlib import Path
import pandas as pd
frames = {}
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    for name, frame in pd.read_excel(path, sheet_name=None, engine="openpyxl").items():
        frame["file"] = path.name
        frames.setdefault(name, []).append(frame)
with pd.ExcelWriter(Path(sys.argv[2]) / "naive.xlsx") as writer:
    for name, parts in frames.items():
        pd.concat(parts).to_excel(writer, sheet_name=name[:31], index=False)
"""

COLLECT = """
import datetime as dt, sys
from pathlib import Path
from ibc_xls.report.collect import collect
from ibc_xls.settings.config import load_config
from ibc_xls.settings.periods import report_period
config = load_config(Path(sys.argv[1]).parent)
result = collect(config, report_period("2027-04"), as_of=dt.date(2027, 4, 5),
                 output=Path(sys.argv[2]) / "report.xlsx")
print(len(result.report.files))
"""

CHECK = """
import datetime as dt, sys
from pathlib import Path
from ibc_xls.checking.check import check_paths
from ibc_xls.settings.config import load_config
config = load_config(Path(sys.argv[1]).parent)
report = check_paths([Path(sys.argv[1])], config, as_of=dt.date(2027, 4, 5))
print(len(report.files))
"""


def wall_time(code: str, *args: str) -> float:
    """Wall seconds of running ``code`` in a fresh Python, nothing else running beside it."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def peak_memory(code: str, *args: str) -> int:
    """Peak resident memory of the process tree of ``code`` in a fresh Python, sampled every
    20 ms. A separate run: the sampler takes CPU that a contender using both cores would miss,
    so timing it would favour the single-process contenders."""
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.02)
    if proc.returncode:
        raise SystemExit(f"contender failed with exit code {proc.returncode}")
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true", help="the naive peer is slow")
    args = parser.parse_args()
    start = time.perf_counter()
    _, returned = corpus(args.count)
    print(f"{args.count} workbooks in {returned} (ready in {time.perf_counter() - start:.0f} s)"
          f"; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}")
    contenders = [("floor (calamine)", FLOOR), ("check (read+validate)", CHECK),
                  ("collect", COLLECT)]
    if not args.skip_naive:
        contenders.append(("naive pandas", NAIVE))
    results = {}
    with tempfile.TemporaryDirectory() as out:
        # Round by round, so that a machine that slows down or speeds up meanwhile touches
        # every contender alike.
        times: dict[str, list[float]] = {label: [] for label, _ in contenders}
        for _ in range(args.runs):
            for label, code in contenders:
                times[label].append(wall_time(code, str(returned), out))
        for label, code in contenders:
            seconds = statistics.median(times[label])
            peak = peak_memory(code, str(returned), out)
            results[label] = (seconds, peak)
            print(f"{label:24s} {seconds:8.2f} s  peak {peak / 2**20:7.0f} MB"
                  f"  (runs: {', '.join(f'{t:.2f}' for t in times[label])})")
    floor = results["floor (calamine)"][0]
    print(f"check / floor:     {results['check (read+validate)'][0] / floor:5.2f}×")
    if "naive pandas" in results:
        print(f"naive / collect:   {results['naive pandas'][0] / results['collect'][0]:5.2f}×")
    print(json.dumps({k: {"seconds": round(v[0], 3), "peak_mb": round(v[1] / 2**20)}
                      for k, v in results.items()}))


if __name__ == "__main__":
    main()
