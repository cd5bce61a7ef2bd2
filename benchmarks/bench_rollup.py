"""Benchmark ``ibc-xls rollup`` over many school reports (run by hand, prints figures)::

    .venv/bin/python benchmarks/bench_rollup.py [--schools 500]

One realistic report is made by a real ``collect`` of the school sample (``workbooks/``);
each school's report is that file with the school's name changed in its shared strings, so
every file is a genuine report of another school. The office expects them all. Prints the
wall time and the peak memory (this process and its reader processes) of the rollup.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ibc_xls.report.collect import collect  # noqa: E402
from ibc_xls.rollup.office import load_office  # noqa: E402
from ibc_xls.rollup.run import run_rollup  # noqa: E402
from ibc_xls.settings.config import load_config  # noqa: E402
from ibc_xls.settings.periods import report_period  # noqa: E402

NAME = "МОУ «СОШ №4»"


def school(i: int) -> str:
    return f"МОУ «СОШ №{1000 + i}»"


def copy_as(source: Path, target: Path, name: str) -> None:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename in ("xl/sharedStrings.xml", "docProps/custom.xml"):
                data = data.replace(NAME.encode(), name.encode())
            dst.writestr(info, data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ibc-xls-bench-rollup-") as tmp:
        root = Path(tmp)
        report = root / "report.xlsx"
        collect(load_config(REPO / "workbooks"), report_period("2026-04"), output=report)
        office = root / "управление"
        (office / "полученные").mkdir(parents=True)
        blocks = "\n".join(f'[[schools]]\nshort = "{school(i)}"\n' for i in range(args.schools))
        (office / "ibc-xls-office.toml").write_text(
            f'[office]\nname = "Институт"\n\n{blocks}', encoding="utf-8")
        for i in range(args.schools):
            copy_as(report, office / "полученные" / f"отчёт {i}.xlsx", school(i))
        size = sum(p.stat().st_size for p in (office / "полученные").iterdir())
        start = time.perf_counter()
        done = run_rollup(load_office(office), output=root / "сводка.xlsx")
        seconds = time.perf_counter() - start
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"schools: {args.schools}, reports {size / 2**20:.1f} MiB, counted "
              f"{len(done.rolled.counted)}, problems {len(done.rolled.problem_list)}")
        print(f"rollup: {seconds:.1f} s; peak memory: main {own:.0f} MiB, "
              f"largest reader {workers:.0f} MiB; summary "
              f"{done.output.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
