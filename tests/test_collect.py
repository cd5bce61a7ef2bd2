"""``ibc-xls collect`` as the ИБЦ head runs it: the report is written safely, whatever the
folder holds, and the terminal says what happened."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from fill import DIARY_ROW, fill, saved_at
from libreoffice import XLSX, convert, with_libreoffice
from test_report import read_tables

from ibc_xls.blanks.generate import generate
from ibc_xls.cli import cli
from ibc_xls.output import write_atomic
from ibc_xls.problems import IbcError
from ibc_xls.report.collect import default_output
from ibc_xls.settings.config import load_config
from ibc_xls.settings.periods import report_period

REPO = Path(__file__).resolve().parent.parent
REPORT = "Сводный отчёт ИБЦ МОУ «СОШ №4» 2026-10.xlsx"  # the school in the name
DIARIES = "Читательский дневник"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def school(config):
    """A working folder with two returned workbooks (one with an error) and a broken file."""
    blanks = {o.respondent.id: o.path for o in generate(config)}
    returned = config.folders["returned"]
    fill(blanks["class_5А"], returned / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    fill(blanks["class_6Б"], returned / "6Б.xlsx",
         {DIARIES: [{**DIARY_ROW, "Полнота (0–5)": 9}]})
    (returned / "обрыв.xlsx").write_bytes(blanks["class_7А"].read_bytes()[:3000])
    return config


def test_collect_writes_the_report_and_says_what_happened(school):
    result = invoke("collect", "-C", str(school.root), "--period", "2026-10")
    assert result.exit_code == 0, result.output
    report = school.folders["reports"] / REPORT
    assert report.is_file()
    lines = result.stdout.splitlines()
    assert lines[0] == ("Период: отчёт за октябрь 2026 (01.04.2026 – 30.09.2026); отчётная "
                        "дата 30.09.2026.")
    assert lines[1] == ("Книг получено: 3, от 2 из 21 респондентов; принято: 1, с ошибками: 1, "
                        "не принято: 1.")
    assert lines[-1] == f"Отчёт записан: {report}"
    assert any(line.startswith("Не сдали (19): ") for line in lines)
    missing = next(line for line in lines if line.startswith("Не сдали"))
    assert "5А класс" not in missing
    assert f"Зав. ИБЦ — {school.ibc_head}; 1А класс — Смирнова Ольга Викторовна" in missing
    book = openpyxl.load_workbook(report)
    assert "Ошибки и замечания" in book.sheetnames
    assert not list(report.parent.glob(".~ibc-xls-*")), "a temporary file was left behind"


def test_collect_again_says_the_report_is_replaced(school):
    first = invoke("collect", "-C", str(school.root), "--period", "2026-10", "--json")
    assert json.loads(first.stdout)["report_replaced"] is False
    report = school.folders["reports"] / REPORT
    report.write_bytes(b"old")  # whatever was there is replaced
    again = invoke("collect", "-C", str(school.root), "--period", "2026-10")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1] == f"Отчёт заменён: {report}"
    assert openpyxl.load_workbook(report).sheetnames[0] == "Титульный лист"
    third = invoke("collect", "-C", str(school.root), "--period", "2026-10", "--json")
    assert json.loads(third.stdout)["report_replaced"] is True


def test_the_report_is_named_after_the_school(config, tmp_path):
    path = default_output(config, report_period("2027-04"))
    assert path == config.folders["reports"] / "Сводный отчёт ИБЦ МОУ «СОШ №4» 2027-04.xlsx"
    text = (config.root / "ibc-xls.toml").read_text(encoding="utf-8")
    (config.root / "ibc-xls.toml").write_text(
        text.replace('name = "МОУ «СОШ №4»"', 'name = "МБОУ \\"Лицей\\" №1/2"'),
        encoding="utf-8")
    other = default_output(load_config(config.root), report_period("2027-04"))
    assert other.parent == config.folders["reports"]
    assert other.name == "Сводный отчёт ИБЦ МБОУ _Лицей_ №1_2 2027-04.xlsx"  # safe on Windows


def test_strict_exit_code_and_json(school):
    result = invoke("collect", "-C", str(school.root), "--period", "2026-10", "--strict",
                    "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["summary"] == {"files": 3, "accepted": 1, "with_errors": 1, "refused": 1,
                               "replaced": 0, "errors": 2, "warnings": 0, "missing": 19,
                               "respondents": 21, "respondents_sent": 2}
    assert data["as_of"] == "2026-09-30"
    assert data["report"].endswith(REPORT)
    assert {f["file"]: f["status"] for f in data["files"]} == {
        "сданные/5А.xlsx": "ok", "сданные/6Б.xlsx": "errors", "сданные/обрыв.xlsx": "refused"}
    assert data["period"] == {"label": "отчёт за октябрь 2026", "start": "2026-04-01",
                              "end": "2026-09-30"}


def test_working_folder_as_argument_and_own_period(school, tmp_path):
    out = tmp_path / "мой отчёт.xlsx"
    result = invoke("collect", str(school.root), "--from", "01.09.2026", "--to", "2026-11-20",
                    "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Период: 01.09.2026 – 20.11.2026")
    assert out.is_file()


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "2026-05"], "Период «2026-05» не понят"),
    (["--from", "01.09.2026"], "--from и --to указываются вместе"),
    (["--period", "2026-04", "--from", "01.09.2026", "--to", "01.10.2026"],
     "Укажите либо --period, либо --from и --to"),
    (["--from", "31.09.2026", "--to", "01.10.2026"], "Недопустимое значение"),
])
def test_bad_periods_exit_2(school, args, message):
    result = invoke("collect", "-C", str(school.root), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (school.folders["reports"] / REPORT).exists()


@pytest.mark.parametrize("lock", ["~$" + REPORT, "~$" + REPORT[2:], f".~lock.{REPORT}#"])
def test_a_report_open_in_excel_or_libreoffice_is_not_overwritten(school, lock):
    target = school.folders["reports"] / REPORT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"previous report")
    (target.parent / lock).write_bytes(b"")
    result = invoke("collect", "-C", str(school.root), "--period", "2026-10")
    assert result.exit_code == 2
    assert "Файл открыт в Excel или LibreOffice" in result.stderr
    assert "Закройте его" in result.stderr
    assert target.read_bytes() == b"previous report"


def test_an_interrupted_write_leaves_the_previous_report(tmp_path):
    target = tmp_path / REPORT
    target.write_bytes(b"previous report")

    def write_then_stop(file):
        file.write(b"half a repo")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, write_then_stop)
    assert target.read_bytes() == b"previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == [REPORT]


def test_an_unwritable_folder_is_a_russian_error(tmp_path):
    blocker = tmp_path / "отчёты"
    blocker.write_bytes(b"a file where the folder should be")
    with pytest.raises(IbcError) as exc:
        write_atomic(blocker / REPORT, lambda f: f.write(b"x"))
    assert exc.value.problems[0].code == "output-failed"
    assert str(exc.value) == (
        f"Файл «{blocker / REPORT}»: Файл не удалось записать: на месте папки лежит файл с тем "
        "же именем: переименуйте его или укажите другую папку. Прежний файл не изменён.")


def test_two_collects_at_once_leave_one_whole_report(school):
    command = [sys.executable, "-m", "ibc_xls", "collect", "-C", str(school.root),
               "--period", "2026-10"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err.decode()
    report = school.folders["reports"] / REPORT
    assert "Сдача книг" in openpyxl.load_workbook(report).sheetnames
    assert not list(report.parent.glob(".~ibc-xls-*"))


def test_inputs_are_never_modified(school):
    returned = school.folders["returned"]
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in returned.iterdir()}
    assert invoke("collect", "-C", str(school.root), "--period", "2026-10").exit_code == 0
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in returned.iterdir()}
    assert after == before


@with_libreoffice
def test_end_to_end_through_libreoffice(school, tmp_path):
    returned = school.folders["returned"]
    saved = convert([returned / "5А.xlsx"], XLSX, tmp_path / "lo")
    (returned / "5А.xlsx").unlink()
    shutil.copyfile(saved[0], returned / "5А из LibreOffice.xlsx")
    result = invoke("collect", "-C", str(school.root), "--period", "2026-10", "--json")
    data = json.loads(result.stdout)
    statuses = {f["file"]: (f["status"], f["rows"].get("diaries")) for f in data["files"]}
    assert statuses["сданные/5А из LibreOffice.xlsx"] == ("ok", 1)


def test_the_shipped_sample_collects_out_of_the_box(tmp_path):
    sample = tmp_path / "workbooks"
    shutil.copytree(REPO / "workbooks", sample, ignore=shutil.ignore_patterns("отчёты", "бланки"))
    text = (sample / "ibc-xls.toml").read_text(encoding="utf-8")
    (sample / "ibc-xls.toml").write_text(
        text.replace('templates = "../templates"', f'templates = "{REPO / "templates"}"'),
        encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "ibc_xls", "collect", str(sample),
                             "--period", "2026-04"], capture_output=True, timeout=300,
                            env={**os.environ, "PYTHONIOENCODING": "utf-8"}, check=False)
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    assert "отчётная дата 31.03.2026." in out  # the period's last day: the default
    assert ("Книг получено: 13, от 13 из 21 респондентов; принято: 10, с ошибками: 3, "
            "не принято: 0.") in out
    assert (sample / "отчёты" / "Сводный отчёт ИБЦ МОУ «СОШ №4» 2026-04.xlsx").is_file()


def test_a_period_that_ends_before_it_starts(school):
    result = invoke("collect", "-C", str(school.root), "--from", "01.10.2026", "--to",
                    "01.09.2026")
    assert result.exit_code == 2
    assert "начало позже конца" in result.stderr


def _sample(tmp_path: Path) -> Path:
    sample = tmp_path / "workbooks"
    shutil.copytree(REPO / "workbooks", sample, ignore=shutil.ignore_patterns("отчёты", "бланки"))
    text = (sample / "ibc-xls.toml").read_text(encoding="utf-8")
    (sample / "ibc-xls.toml").write_text(
        text.replace('templates = "../templates"', f'templates = "{REPO / "templates"}"'),
        encoding="utf-8")
    return sample


def _overdue(report: Path) -> set[str]:
    return {r["№"] for r in read_tables(report)["tbl_roadmap"] if r["Просрочено"] == "да"}


def test_the_sample_report_is_judged_on_its_own_reporting_date(tmp_path):
    """The April 2026 report of the sample, collected whenever: as of 31.03.2026 no measure is
    overdue (the contests' 31.05.2026 and the meetings' 31.08.2026 have not come; 5.1 is «В
    работе» towards 30.04.2026; done: 1.1–1.4, 3, 3.1, 4.2). Judged as of 01.06.2026, the
    three contests (31.05.2026) and the report 5.1 (30.04.2026), all «В работе», are."""
    sample = _sample(tmp_path)
    report = sample / "отчёты" / "Сводный отчёт ИБЦ МОУ «СОШ №4» 2026-04.xlsx"
    result = invoke("collect", str(sample), "--period", "2026-04")
    assert result.exit_code == 0, result.output
    assert _overdue(report) == set()
    figures = {r["Показатель"]: r["Значение"] for r in read_tables(report)["tbl_key_figures"]}
    assert (figures["Просрочено"], figures["Срок наступил"], figures["Выполнено"]) == (0, 5, 7)
    title = openpyxl.load_workbook(report)["Титульный лист"]
    assert "Отчётная дата: 31.03.2026" in [c.value for row in title.iter_rows() for c in row]
    # Dates in April 2026, typed before the books were saved, are no mistakes, only outside
    # the report: the sample's four intended errors, nothing more.
    problems = read_tables(report)["tbl_problems"]
    assert sum(p["Важность"] == "ошибка" for p in problems) == 4
    later = invoke("collect", str(sample), "--period", "2026-04", "--as-of", "01.06.2026")
    assert later.exit_code == 0, later.output
    assert "отчётная дата 01.06.2026." in later.stdout
    assert _overdue(report) == {"2.1", "2.2", "2.3", "5.1"}


def test_a_reporting_date_before_the_period_is_refused(school):
    result = invoke("collect", "-C", str(school.root), "--period", "2026-10", "--as-of",
                    "31.03.2026")
    assert result.exit_code == 2
    assert result.stderr == ("Ошибка. Отчётная дата 31.03.2026 раньше начала периода "
                             "(01.04.2026). Укажите в --as-of дату не раньше начала периода.\n")


def test_a_corrected_copy_replaces_the_first(config):
    """5А sends a workbook with a mistake, then a corrected copy: the copy is used and judged
    on its own; the first is «заменена» with a warning; both are in the sources; books and
    respondents are counted apart."""
    blanks = {o.respondent.id: o.path for o in generate(config)}
    returned = config.folders["returned"]
    first = fill(blanks["class_5А"], returned / "5А.xlsx",
                 {DIARIES: [{**DIARY_ROW, "Полнота (0–5)": 9}]})
    saved_at(first, dt.datetime(2026, 9, 20, 10, 0))
    again = fill(blanks["class_5А"], returned / "5А исправленный.xlsx", {DIARIES: [DIARY_ROW]})
    saved_at(again, dt.datetime(2026, 9, 21, 10, 0))
    # The file's time alone would say otherwise (copied later): the book's own stamp decides.
    os.utime(first, (dt.datetime(2026, 9, 25).timestamp(),) * 2)
    saved_at(fill(blanks["class_6Б"], returned / "6Б.xlsx", {DIARIES: [DIARY_ROW]}),
             dt.datetime(2026, 9, 22, 10, 0))
    result = invoke("collect", "-C", str(config.root), "--period", "2026-10")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == (
        "Книг получено: 3, от 2 из 21 респондентов; принято: 2, с ошибками: 0, не принято: 0, "
        "заменено: 1.")
    tables = read_tables(config.folders["reports"] / REPORT)
    status = {r["Файл"]: r["Статус"] for r in tables["tbl_submissions"] if r["Файл"]}
    assert status == {"сданные/5А.xlsx": "заменена", "сданные/5А исправленный.xlsx": "принята",
                      "сданные/6Б.xlsx": "принята"}
    assert {r["Файл"]: r["Статус"] for r in tables["tbl_sources"]} == status
    problems = [(r["Файл"], r["Важность"], r["Код"]) for r in tables["tbl_problems"]]
    assert problems == [("сданные/5А.xlsx", "ошибка", "out-of-range"),
                        ("сданные/5А.xlsx", "замечание", "workbook-replaced")]
    figures = {r["Показатель"]: (r["Значение"], r["Пояснение"])
               for r in tables["tbl_key_figures"]}
    assert figures["Книг получено"] == (3, "от 2 из 21 респондентов")
    assert figures["Респондентов не сдали книгу"] == (19, "из 21")
    assert figures["Книг с ошибками"][0] == 0
    assert figures["Книг заменено"][0] == 1
    diaries = read_tables(config.folders["reports"] / REPORT)["tbl_diaries_top"]
    assert [r["Сумма баллов"] for r in diaries] == [17, 17]  # the corrected 5А and 6Б


def test_one_mistake_is_one_line_in_the_report(config):
    """The ИБЦ head's roadmap with two measures filled, one of them «Выполнено» without date
    and result: one line for that mistake, one line for the thirteen measures left empty."""
    blanks = {o.respondent.id: o.path for o in generate(config)}
    fill(blanks["ibc_head"], config.folders["returned"] / "ИБЦ.xlsx", {},
         fixed={"Дорожная карта": {"1.1": {"Статус": "Выполнено"},
                                   "1.2": {"Статус": "В работе"}}})
    result = invoke("collect", "-C", str(config.root), "--period", "2026-10")
    assert result.exit_code == 0, result.output
    tables = read_tables(config.folders["reports"] / REPORT)
    problems = [(r["Ячейка"], r["Код"], r["Сообщение"]) for r in tables["tbl_problems"]]
    assert problems == [
        ("I5", "rule-required",
         "Для статуса «Выполнено» укажите дату выполнения и результат или документ."),
        ("H7", "plan-rows-empty",
         "Не заполнены пункты плана (13): 1.3, 1.4, 2.1, 2.2, 2.3, 3, 3.1, 3.2, 3.3, 3.4, "
         "4.1, 4.2, 5.1. Отметьте статус каждого пункта; пока в отчёте по ним «Нет "
         "сведений»."),
    ]
    stages = {r["Этап"]: r for r in tables["tbl_roadmap_stages"]}
    assert stages["I. Подготовительный этап"]["В работе"] == 1
    assert stages["I. Подготовительный этап"]["Нет сведений"] == 3  # 1.1 has errors


def _children() -> set[int]:
    import psutil

    return {p.pid for p in psutil.Process().children(recursive=True)}


def test_check_paths_leaves_no_process_behind(school):
    """The reading's worker processes end with it; no helper of theirs stays either."""
    from ibc_xls.checking.check import check_paths

    before = _children()  # a process another test left (say, generate's pool) is not ours
    report = check_paths([school.folders["returned"]], school)
    assert len(report.files) == 3
    assert _children() <= before


def test_no_reader_process_is_alive_while_the_report_is_written(school, monkeypatch):
    """The report is written with the memory the reading used: nothing started for the
    reading is alive by then."""
    from ibc_xls.report import workbook

    before = _children()
    alive = []
    write_report = workbook.write_report

    def write_watched(*args, **kwargs):
        alive.append(_children() - before)
        return write_report(*args, **kwargs)

    monkeypatch.setattr(workbook, "write_report", write_watched)
    result = invoke("collect", "-C", str(school.root), "--period", "2026-10")
    assert result.exit_code == 0, result.output
    assert alive == [set()]
