"""``review`` against ``validate`` (``check_paths``) on the same returns with problems.

Run by hand: ``python benchmarks/bench_review.py [N] [--runs R]`` (N defaults to 1000).

It makes N returned workbooks once (cached in the system's temp folder), as
``bench_collect.py`` does: a school's blanks filled by openpyxl, each with its own respondent
(unknown to the settings, so each return is a respondent of its own and gets its own copy),
and in every one a few mistakes: a score out of range, a number typed as a word, a required
cell left empty. Then, R rounds of each, in a fresh process:

* validate: ``ibc_xls.checking.check.check_paths`` (reading and judging in isolated workers);
* review: ``ibc_xls.review.copies.review``: the same check, a copy per return and the sending list.

It prints the median wall times and their ratio, and the machine's load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_collect import TODAY, _row

CORPUS_VERSION = 2


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
    # An id of its own that the settings do not know (not «class_…»: that names a class).
    person = Respondent(f"r{index:05d}", base.role, base.name, base.forms, base.class_name)
    rnd = random.Random(index)
    path = Path(out) / f"{index:05d}.xlsx"
    path.write_bytes(build(person, config, dt.datetime(config.academic_year, 9, 1)))
    book = openpyxl.load_workbook(path)
    for form in person.forms:
        sheet = book[form.sheet]
        keys = [c.key for c in form.columns]
        rows = form.row_count if form.rows == "fixed" else rnd.randint(
            form.row_count // 3, form.row_count * 2 // 3)
        for i in range(rows):
            values = _row(form, config, person, rnd, f"{index}-{i}")
            if i % 7 == 3:  # a mistake in every seventh row
                number = next((c for c in form.columns if c.type == "integer"
                               and not c.prefilled and c.max is not None), None)
                if number is not None:
                    values[number.key] = number.max + 5 if i % 2 else "много"
                text = next((c for c in form.columns if c.required and c.type == "text"
                             and not c.prefilled), None)
                if text is not None and i % 3 == 0:
                    values.pop(text.key, None)
            for key, value in values.items():
                sheet.cell(FIRST_DATA_ROW + 1 + i, keys.index(key) + 1, value)
    book.save(path)
    return str(path)


def corpus(count: int) -> Path:
    """The working folder with ``count`` returns with problems in its returned folder."""
    from ibc_xls.settings.workspace import init_workspace

    root = Path(tempfile.gettempdir()) / f"ibc-xls-bench-review-{CORPUS_VERSION}-{count}"
    done = root / "done"
    if done.exists():
        return root
    init_workspace(root, today=TODAY)
    returned = root / "сданные"
    with Pool() as pool:
        pool.map(_make_one, [(str(root), i, str(returned)) for i in range(count)], chunksize=8)
    done.write_text("ok")
    return root


VALIDATE = """
import datetime as dt, sys
from pathlib import Path
from ibc_xls.checking.check import check_paths
from ibc_xls.settings.config import load_config
config = load_config(Path(sys.argv[1]))
report = check_paths([config.folders["returned"]], config, as_of=dt.date(2027, 4, 5))
print(len(report.files), sum(f.errors for f in report.files))
"""

REVIEW = """
import datetime as dt, sys
from pathlib import Path
from ibc_xls.settings.config import load_config
from ibc_xls.review.copies import review
config = load_config(Path(sys.argv[1]))
result = review(config, out=Path(sys.argv[2]), as_of=dt.date(2027, 4, 5))
print(result.count("written"), result.count("done"), result.count("refused"))
"""


def wall_time(code: str, *args: str) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          check=True)
    return time.perf_counter() - start, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = corpus(args.count)
    out = Path(tempfile.mkdtemp(prefix="ibc-xls-bench-review-out-"))
    times: dict[str, list[float]] = {"validate": [], "review": []}
    try:
        for _ in range(args.runs):
            seconds, said = wall_time(VALIDATE, str(root))
            times["validate"].append(seconds)
            print(f"validate: {seconds:.2f} s (files, errors: {said})", flush=True)
            seconds, said = wall_time(REVIEW, str(root), str(out))
            times["review"].append(seconds)
            print(f"review: {seconds:.2f} s (copies, done, refused: {said})", flush=True)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    validate, review = (statistics.median(times[k]) for k in ("validate", "review"))
    print(f"\n{args.count} returns with problems, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"validate (check_paths): {validate:.2f} s")
    print(f"review (check + copies + list): {review:.2f} s = {review / validate:.2f}× validate")


if __name__ == "__main__":
    main()
