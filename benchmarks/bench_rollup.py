"""Benchmark ``ibc-xls rollup`` over many school reports (run by hand, prints figures)::

    .venv/bin/python benchmarks/bench_rollup.py [--schools 500] [--corpus DIR] [--runs 1]

One realistic report is made by a real ``collect`` of the school sample (``workbooks/``);
each school's report is that file with the school's name changed in its shared strings, so
every file is a genuine report of another school (``--corpus DIR`` keeps them for the next
run). The office expects them all. Each run is a fresh Python: first timed alone, then once
more with its memory sampled from /proc every 20 ms (Linux only; the sampler takes CPU, so
that run is not timed): the resident memory of the main process, of the fork server, of the
largest reader, of the readers together and of the whole process tree summed (shared pages
counted in each process, as a sum of RSS does), each at its peak and by phase (reading,
read: readers stopped, combining, writing). The rollup runs the ``ibc_xls`` of the Python
that runs this script, so ``other/.venv/bin/python benchmarks/bench_rollup.py --corpus DIR``
measures another checkout on the same reports.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from proctree import descendants, processes  # benchmarks/proctree.py

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

NAME = "МОУ «СОШ №4»"
ROLES = ("main", "fork server", "largest reader", "readers", "tree")

# The rollup in a fresh Python: argv = office folder, output, phase file ("" for none).
ROLLUP = r"""
import sys
from pathlib import Path
import ibc_xls.rollup.run as run
from ibc_xls.rollup.office import load_office

def phase(name):
    if sys.argv[3]:
        Path(sys.argv[3] + ".new").write_text(name)
        Path(sys.argv[3] + ".new").replace(sys.argv[3])

if __name__ == "__main__":
    combine, write, isolated = run.rollup, run.write_summary, run.run_isolated

    def read_then_mark(*args, **kwargs):  # "read": the readers have ended
        yield from isolated(*args, **kwargs)
        phase("read")

    run.run_isolated = read_then_mark
    run.rollup = lambda *a, **k: (phase("combining"), combine(*a, **k))[1]
    run.write_summary = lambda *a, **k: (phase("writing"), write(*a, **k))[1]
    phase("reading")
    done = run.run_rollup(load_office(Path(sys.argv[1])), output=Path(sys.argv[2]))
    print(len(done.rolled.counted), len(done.rolled.problem_list))
"""


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


def make_office(root: Path, schools: int) -> Path:
    from ibc_xls.report.collect import collect
    from ibc_xls.settings.config import load_config
    from ibc_xls.settings.periods import report_period

    office = root / "управление"
    if (office / "ibc-xls-office.toml").is_file() and \
            len(list((office / "полученные").iterdir())) == schools:
        return office
    report = root / "report.xlsx"
    collect(load_config(REPO / "workbooks"), report_period("2026-04"), output=report)
    (office / "полученные").mkdir(parents=True, exist_ok=True)
    blocks = "\n".join(f'[[schools]]\nshort = "{school(i)}"\n' for i in range(schools))
    (office / "ibc-xls-office.toml").write_text(
        f'[office]\nname = "Институт"\n\n{blocks}', encoding="utf-8")
    for i in range(schools):
        copy_as(report, office / "полученные" / f"отчёт {i}.xlsx", school(i))
    return office


def _sample(pid: int) -> dict[str, int]:
    """Resident memory of ``pid``'s tree by role: the fork server and the resource tracker
    are children whose command line names them; any other descendant is a reader."""
    procs = processes()
    children: dict[int, list[int]] = {}
    for p, (parent, _, _) in procs.items():
        children.setdefault(parent, []).append(p)
    rss = {p: v[1] for p, v in procs.items()}
    tree = sum(rss.get(p, 0) for p in descendants(pid, procs))
    server = readers = largest = 0
    for child in children.get(pid, []):
        command = procs[child][2]
        if b"forkserver" in command:
            server += rss[child]
        elif b"resource_tracker" not in command:
            readers += rss[child]
            largest = max(largest, rss[child])
        for reader in children.get(child, []):
            readers += rss[reader]
            largest = max(largest, rss[reader])
    return dict(zip(ROLES, (rss.get(pid, 0), server, largest, readers, tree), strict=True))


def run_once(office: Path, output: Path, sample: bool) -> tuple[float, dict, str]:
    phases: dict[str, dict[str, int]] = {}
    with tempfile.NamedTemporaryFile("w", suffix=".phase", delete=False) as f:
        phase_file = Path(f.name)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", ROLLUP, str(office), str(output),
                             str(phase_file) if sample else ""],
                            stdout=subprocess.PIPE, text=True, cwd=output.parent)
    while sample and proc.poll() is None:
        name = phase_file.read_text() or "starting"
        peak = phases.setdefault(name, dict.fromkeys(ROLES, 0))
        for role, value in _sample(proc.pid).items():
            peak[role] = max(peak[role], value)
        time.sleep(0.02)
    out, _ = proc.communicate()
    seconds = time.perf_counter() - start
    phase_file.unlink()
    if proc.returncode:
        raise SystemExit(f"rollup failed with exit code {proc.returncode}")
    return seconds, phases, out.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=500)
    parser.add_argument("--corpus", type=Path, help="keep the reports here for the next run")
    parser.add_argument("--runs", type=int, default=1, help="timed runs (the median is shown)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ibc-xls-bench-rollup-") as tmp:
        root = args.corpus or Path(tmp)
        office = make_office(root, args.schools)
        size = sum(p.stat().st_size for p in (office / "полученные").iterdir())
        output = Path(tmp) / "сводка.xlsx"
        print(f"schools: {args.schools}, reports {size / 2**20:.1f} MiB; "
              f"load average {os.getloadavg()[0]:.2f}")
        times = sorted(run_once(office, output, False)[0] for _ in range(args.runs))
        _, phases, counted = run_once(office, output, True)
        print(f"rollup: {times[len(times) // 2]:.1f} s (runs: "
              f"{', '.join(f'{t:.1f}' for t in times)}); counted, problems: {counted}; "
              f"summary {output.stat().st_size / 2**20:.1f} MiB; "
              f"load average {os.getloadavg()[0]:.2f}")
        print("peak MiB by phase: " + ", ".join(ROLES))
        for name, peak in phases.items():
            print(f"  {name:10s} " + "  ".join(f"{peak[r] / 2**20:5.0f}" for r in ROLES))
        overall = {r: max(p[r] for p in phases.values()) for r in ROLES}
        print("  peak       " + "  ".join(f"{overall[r] / 2**20:5.0f}" for r in ROLES))


if __name__ == "__main__":
    main()
