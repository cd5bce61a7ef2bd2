"""Make the education office's sample in ``workbooks/управление/``.

Run by hand::

    .venv/bin/python scripts/make_office_sample.py

Three sample schools of the office (``workbooks/управление/ibc-xls-office.toml`` expects a
fourth, which has not reported) fill in their returns from the school sample's plan
(``scripts/make_sample.py``), each leaving out different workbooks, so their figures differ.
Each school runs a real ``collect`` for the April 2026 report, and two of them also for the
October 2025 one; the reports go to ``полученные/`` under the names schools give them.
``ibc-xls rollup workbooks/управление`` then runs out of the box, and with ``--all-periods``
shows the progress between the two periods.

The returns are saved by openpyxl only (no LibreOffice needed); the reports are collected as
of the period's last day, so a rerun gives the same figures (only the reports' creation time
differs).
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "scripts"), str(REPO), str(REPO / "tests")]

import make_sample  # noqa: E402  (scripts/make_sample.py)

from ibc_xls.blanks.generate import generate  # noqa: E402
from ibc_xls.report.collect import collect  # noqa: E402
from ibc_xls.rollup.office import OFFICE_CONFIG_NAME  # noqa: E402
from ibc_xls.settings.config import load_config  # noqa: E402
from ibc_xls.settings.periods import report_period  # noqa: E402

OFFICE = REPO / "workbooks" / "управление"
RECEIVED = OFFICE / "полученные"
SCHOOL_SETTINGS = REPO / "workbooks" / "ibc-xls.toml"
EXAMPLE_NAME = "МОУ «СОШ №4»"
EXAMPLE_FULL = ("Муниципальное общеобразовательное учреждение «Средняя общеобразовательная "
                "школа №4»")

# (short name, full name, returns left out, periods reported: file name per period)
SCHOOLS = [
    (EXAMPLE_NAME, EXAMPLE_FULL, (),
     {"2026-04": "Отчёт ИБЦ СОШ 4 апрель 2026.xlsx", "2025-10": "СОШ4 октябрь 2025.xlsx"}),
    ("МОУ «Гимназия №1»", "Муниципальное общеобразовательное учреждение «Гимназия №1»",
     ("class_2Б", "class_5Б", "class_9Б", "class_10А"),
     {"2026-04": "гимназия 1 - отчет.xlsx", "2025-10": "Гимназия1_2025-10.xlsx"}),
    ("МОУ «Лицей №7»", "Муниципальное общеобразовательное учреждение «Лицей №7»",
     ("ibc_head", "class_1А", "class_3А", "class_6А", "class_11А"),
     {"2026-04": "Сводный отчёт ИБЦ МОУ «Лицей №7» 2026-04.xlsx"}),
]
MISSING = ("МОУ «СОШ №12»", "Муниципальное общеобразовательное учреждение «Средняя "
           "общеобразовательная школа №12»")


def office_settings() -> str:
    from ibc_xls.rollup.office import example_office

    text = example_office().split("\n[[schools]]\n")[0] + "\n"
    text = text.replace('name = "Управление образования"',
                        'name = "Управление образования Администрации Томского района"')
    blocks = [(short, full) for short, full, _, _ in SCHOOLS] + [MISSING]
    return text + "\n".join(f'[[schools]]\nshort = "{short}"\nfull = "{full}"\n'
                            for short, full in blocks)


def school_folder(root: Path, short: str, full: str) -> Path:
    """A school's working folder: the sample school's settings under another name."""
    root.mkdir(parents=True)
    text = SCHOOL_SETTINGS.read_text(encoding="utf-8")
    text = text.replace(f'name = "{EXAMPLE_NAME}"', f'name = "{short}"', 1)
    text = text.replace(f'full_name = "{EXAMPLE_FULL}"', f'full_name = "{full}"', 1)
    text = text.replace('templates = "../templates"',
                        f'templates = "{(REPO / "templates").as_posix()}"', 1)
    (root / "ibc-xls.toml").write_text(text, encoding="utf-8")
    return root


def main(office: Path = OFFICE) -> None:
    """Make the office folder ``office`` (the repository's sample by default; a test makes
    one elsewhere to check that the script still runs)."""
    received = office / RECEIVED.name
    if received.exists():
        shutil.rmtree(received)
    received.mkdir(parents=True)
    (office / OFFICE_CONFIG_NAME).write_text(office_settings(), encoding="utf-8")
    (office / "сводки").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ibc-xls-office-") as tmp:
        for i, (short, full, left_out, reports) in enumerate(SCHOOLS):
            root = school_folder(Path(tmp) / f"school{i}", short, full)
            config = load_config(root)
            specs = {s.id: s for s in config.specs()}
            work = root / "work"
            blanks = {o.respondent.id: o.path for o in generate(config, out=work / "бланки")}
            returned = root / "сданные"
            returned.mkdir()
            plan = [dataclasses.replace(r, saved=make_sample.OPENPYXL)
                    for r in make_sample.plan() if r.respondent not in left_out]
            original = make_sample.plan
            make_sample.plan = lambda plan=plan: plan
            try:
                make_sample.make(returned, blanks, specs, work)
            finally:
                make_sample.plan = original
            for code, name in reports.items():
                period = report_period(code)
                collect(config, period, paths=[returned], output=received / name,
                        as_of=period.end)
                print(f"{short}: {code} → {name} "
                      f"({(received / name).stat().st_size // 1024} КБ)")


if __name__ == "__main__":
    main()
