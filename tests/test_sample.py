"""The sample of returned workbooks that ships in ``workbooks/сданные/`` (made by
``scripts/make_sample.py``): every file reads, exactly the intended mistakes are found, the
values typed as people type them are understood, and the sample is what the script plans.

The files are read as they are committed; LibreOffice is not needed. When a form template or
the sample's plan changes, run ``python scripts/make_sample.py`` again.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from ibc_xls.checking.check import check_paths
from ibc_xls.problems import Severity
from ibc_xls.settings.config import load_config
from ibc_xls.settings.respondents import respondents

REPO = Path(__file__).resolve().parent.parent
WORKBOOKS = REPO / "workbooks"
SAMPLE = WORKBOOKS / "сданные"
TODAY = dt.date(2026, 4, 10)  # the ИБЦ head collects the April 2026 report
PERIOD_START, PERIOD_END = dt.date(2025, 10, 1), dt.date(2026, 3, 31)

sys.path.insert(0, str(REPO / "scripts"))
import make_sample  # noqa: E402

ROADMAP, TEXTBOOKS, DIARIES = "Дорожная карта", "Сохранность учебников", "Читательский дневник"
HEAD = "Зав. ИБЦ — Сидорова Елена Викторовна.xlsx"
F3A = "3А класс — Новикова Светлана Петровна.xlsx"
F8A = "8А класс — Богданова Надежда Ивановна.xlsx"

# Every problem in the sample: (file, severity, code, sheet, cell). Nothing else.
EXPECTED = sorted([
    (F3A, "error", "out-of-range", DIARIES, "F8"),  # a score of 7
    (F3A, "error", "missing-required", DIARIES, "A11"),  # a pupil without a name
    (F8A, "error", "bad-date", TEXTBOOKS, "A7"),  # 31.02.2026
    ("отчёт 7Б.ods", "error", "rule-le", TEXTBOOKS, "D6"),  # 352 checked of 325 issued
    ("11А.xlsx", "warning", "date-month-first", TEXTBOOKS, "A5"),  # 10/14/2025
    ("11А.xlsx", "warning", "formula-value", DIARIES, "D6"),  # =8+3
])


def _name(path) -> str:
    """A file's name in composed form («ё», «й»), as the plan spells it on any file system."""
    return unicodedata.normalize("NFC", Path(path).name)


@pytest.fixture(scope="module")
def config():
    return load_config(WORKBOOKS)


@pytest.fixture(scope="module")
def report(config):
    return check_paths([SAMPLE], config, as_of=TODAY)


@pytest.fixture(scope="module")
def by_file(report):
    return {_name(f.file): f for f in report.files}


def _plan() -> dict[str, make_sample.Return]:
    return {r.file: r for r in make_sample.plan()}


def test_every_planned_file_is_there_and_read(by_file):
    assert sorted(by_file) == sorted(_plan())
    assert {name: f.status for name, f in by_file.items() if f.refused} == {}
    assert Counter(f.format for f in by_file.values()) == {"xlsx": 11, "ods": 1, "xls": 1}


def test_exactly_the_intended_problems(report):
    found = sorted((_name(p.file), p.severity.value, p.code, p.sheet, p.cell)
                   for p in report.problems)
    assert found == EXPECTED
    assert not report.valid


def test_the_april_report_s_own_reporting_date_finds_the_same(config):
    """As of 31.03.2026, the April report's default reporting date, the entries of early April
    were typed before their books were saved: no mistake, and nothing else changes."""
    report = check_paths([SAMPLE], config, as_of=PERIOD_END)
    found = sorted((_name(p.file), p.severity.value, p.code, p.sheet, p.cell)
                   for p in report.problems)
    assert found == EXPECTED


def test_file_statuses(by_file):
    statuses = {name: f.status for name, f in by_file.items() if f.status != "ok"}
    assert statuses == {F3A: "errors", F8A: "errors", "отчёт 7Б.ods": "errors",
                        "11А.xlsx": "warnings"}


def test_respondents_and_rows_as_planned(by_file):
    for name, planned in _plan().items():
        result = by_file[name]
        assert result.identity["respondent_id"] == planned.respondent, name
        rows = {form: n for form, n in result.rows().items() if n}
        expected = {form: len(entries) for form, entries in planned.rows.items()}
        if planned.fixed:
            expected["roadmap"] = len(planned.fixed)
        assert rows == expected, name


def test_class_teachers_who_did_not_return(config, by_file):
    ids = {p.id for p in respondents(config, config.specs())}
    returned = {f.identity["respondent_id"] for f in by_file.values()}
    assert ids - returned == set(make_sample.NOT_RETURNED)
    assert len(returned) == 13
    grades = {int(re.match(r"\d+", f.identity["class_name"])[0]) for f in by_file.values()
              if f.identity.get("class_name")}
    assert all(grades & set(band) for band in (range(1, 5), range(5, 10), range(10, 12)))


def _xml(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def test_saved_as_staff_save_them():
    saved_by = {}
    for path in SAMPLE.iterdir():
        if path.suffix == ".xlsx":
            app = re.search(r"<Application>([^<]*)", _xml(path, "docProps/app.xml"))[1]
            saved_by[_name(path)] = "LibreOffice" if "LibreOffice" in app else app
        elif path.suffix == ".ods":
            assert _xml(path, "mimetype") == "application/vnd.oasis.opendocument.spreadsheet"
            saved_by[_name(path)] = "ods"
        elif path.suffix == ".xls":
            assert path.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # OLE container
            saved_by[_name(path)] = "xls"
    planned = {name: r.saved for name, r in _plan().items()}
    assert {n for n, s in saved_by.items() if s == "LibreOffice"} == {
        n for n, s in planned.items() if s == make_sample.LO_XLSX}
    assert sum(s == "LibreOffice" for s in saved_by.values()) >= 3
    assert list(saved_by.values()).count("ods") == 1
    assert list(saved_by.values()).count("xls") == 1


def _values(result, form_id: str, key: str) -> list:
    return [r.values[key] for r in result.forms[form_id].records]


def test_values_typed_as_people_type_them(by_file):
    va = by_file["5А Васильева.xlsx"]
    first = va.forms["textbooks"].records[0].values
    assert (first["date"], first["class"], first["issued"]) == (dt.date(2025, 10, 8), "5А", 297)
    assert [r.values["score_creativity"] for r in va.forms["diaries"].records][3] == 4
    contest = [(r["stage"], r["result"], r["date"], r["class"])
               for r in (x.values for x in va.forms["reading_contest"].records)]
    assert contest == [("Школьный", "Победитель", dt.date(2025, 10, 15), "5А"),
                       ("Муниципальный", "Призёр", dt.date(2025, 12, 12), "5А")]
    assert set(_values(by_file["6А_Павлова_учебники и дневники.xlsx"], "textbooks",
                       "class")) == {"6А"}
    head = by_file[HEAD]
    assert _values(head, "courses", "hours") == [72, 36, 16]
    assert "Информационное письмо" in _values(head, "documents", "doc_type")
    assert set(_values(head, "meetings", "organizer")) == {"ТОИПКРО", "УО"}


def test_roadmap_tells_a_plausible_story(by_file):
    records = {r.values["part"]: r.values for r in by_file[HEAD].forms["roadmap"].records}
    assert list(records) == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3", "3.1",
                             "3.2", "3.3", "3.4", "4.1", "4.2", "5.1"]
    for part in ("1.1", "1.2", "1.3", "1.4"):  # stage I, done in May 2024 with documents
        assert records[part]["status"] == "Выполнено"
        assert records[part]["done_date"].strftime("%Y-%m") == "2024-05"
        assert records[part]["result"]
    statuses = Counter(r["status"] for r in records.values())
    assert statuses["В работе"] >= 3 and statuses["Перенесено"] == 1
    # Not started, its 31.08.2026 still to come: overdue only on a later reporting date.
    assert records["3.3"]["status"] == "Не начато"
    topics = {t.split(" ")[0].rstrip(".") for t in _values(by_file[HEAD], "meetings", "topic")}
    assert {"3", "3.1", "3.2"} <= topics and not {"3.3", "3.4"} & topics


def test_dates_show_the_period_filter(report):
    dated = []
    for f in report.files:
        for form in f.forms.values():
            for record in form.records:
                dated += [v for v in record.values.values() if isinstance(v, dt.date)]
    assert max(dated) <= TODAY
    assert any(d < PERIOD_START and d >= dt.date(2025, 9, 1) for d in dated)
    assert sum(d > PERIOD_END for d in dated) >= 2
    assert sum(PERIOD_START <= d <= PERIOD_END for d in dated) > len(dated) / 2


def test_contest_results_and_diaries_are_plausible(report):
    def records(form_id):
        return [r for f in report.files if form_id in f.forms for r in f.forms[form_id].records]

    diaries = Counter(f.identity["class_name"] for f in report.files if "diaries" in f.forms
                      for _ in f.forms["diaries"].records)
    assert len(diaries) == 12 and all(5 <= n <= 15 for n in diaries.values()), diaries
    for v in (r.values for r in records("textbooks") if r.ok):
        parts = v["good"] + v["satisfactory"] + v["unsatisfactory"] + v["lost"]
        assert parts <= v["checked"] <= v["issued"] <= v["pupils"] * 16, v
    stages = Counter((r.values["stage"], r.values["result"]) for r in records("reading_contest"))
    assert {s for s, _ in stages} == {"Школьный", "Муниципальный", "Региональный"}
    assert {r for _, r in stages} == {"Участник", "Призёр", "Победитель"}


def test_errors_and_warnings_are_in_different_files(report):
    severities = {}
    for p in report.problems:
        severities.setdefault(_name(p.file), set()).add(p.severity)
    assert severities["11А.xlsx"] == {Severity.WARNING}
    assert sum(Severity.ERROR in s for s in severities.values()) == 3
