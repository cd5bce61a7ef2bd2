"""The report's summaries and key figures are declared in the form specs: a broken declaration
is a Russian problem naming the file and the key, and a school that renames column keys or
choice values, adds a column or adds a form with its own summary changes TOML only — the
report's figures stay as they were, worked out by hand in tests/test_consolidate.py."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from test_consolidate import PERIOD, TODAY, build_school, judge
from test_report import read_tables
from test_spec import copy_templates, load_problems, replace_first, replace_once, template

from ibc_xls.cli import cli
from ibc_xls.forms.layout import header_key
from ibc_xls.forms.spec import DEFAULT_TEMPLATES, load_specs
from ibc_xls.report.consolidate import Consolidated, consolidate
from ibc_xls.report.pages import contents
from ibc_xls.report.workbook import write_report
from ibc_xls.settings.config import CONFIG_NAME
from ibc_xls.settings.workspace import init_workspace

TEXTBOOKS, ROADMAP, CONTEST = "05_textbooks.toml", "01_roadmap.toml", "04_reading_contest.toml"
DIARIES, MEETINGS, COURSES = "06_diaries.toml", "07_meetings.toml", "09_courses.toml"
PRACTICES = "08_practices.toml"

# (test id, file, edit of its shipped text, every (code, key) expected)
BROKEN = [
    ("role-missing-for-a-summary", TEXTBOOKS,
     lambda t: replace_once(t, 'by = "class"', 'by = "klass"'),
     [("spec-missing-role", "summaries[1].by")]),
    ("role-of-a-kind-missing", DIARIES,
     lambda t: replace_once(t, 'role = "person"\n', ""),
     [("spec-missing-role", "summaries[1].kind")]),
    ("meaning-not-a-choice", ROADMAP,
     lambda t: replace_once(t, 'done = "Выполнено"', 'done = "Выполнен"'),
     [("spec-bad-meaning", "columns[8].meanings.done")]),
    ("one-award-not-a-choice", CONTEST,
     lambda t: replace_once(t, '["Призёр", "Победитель"]', '["Призер", "Победитель"]'),
     [("spec-bad-meaning", "columns[5].meanings.award")]),
    ("meaning-missing", MEETINGS,
     lambda t: replace_once(t, 'meanings = { other = "Другое" }\n', "")
     .replace('count = "covered"', 'count = "rows"')
     .replace('order = ["date"]', 'order = ["date"]\nwhere = { topic = "other" }'),
     [("toml-bad-value", "summaries[2].where.topic")]),
    ("unknown-summary-kind", PRACTICES,
     lambda t: replace_once(t, 'kind = "crosstab"', 'kind = "pivot"'),
     [("toml-bad-value", "summaries[1].kind")]),
    ("unknown-summary-key", PRACTICES,
     lambda t: replace_once(t, 'columns = "form"', 'columns = "form"\nsort = "level"'),
     [("toml-unknown-key", "summaries[1].sort")]),
    ("crosstab-of-a-text-column", PRACTICES,
     lambda t: replace_once(t, 'key = "event"\n', 'key = "event"\nrole = "event"\n')
     .replace('rows = "level"', 'rows = "event"'),
     [("toml-bad-value", "summaries[1].rows")]),
    ("score-of-text", TEXTBOOKS,
     lambda t: replace_once(t, 'key = "comment"\n', 'key = "comment"\nrole = "score"\n'),
     [("toml-bad-value", "summaries[1].kind")]),
    ("bad-table-name", COURSES,
     lambda t: replace_once(t, 'table = "tbl_courses"', 'table = "Курсы"'),
     [("toml-bad-value", "summaries[1].table")]),
    ("report-table-taken", COURSES,
     lambda t: replace_once(t, 'table = "tbl_courses"', 'table = "tbl_problems"'),
     [("toml-bad-value", "summaries[1].table")]),
    ("report-sheet-taken", COURSES,
     lambda t: replace_once(t, 'sheet = "Повышение квалификации"\ntitle = "Повышение '
                               'квалификации"\ntable',
                            'sheet = "Источники"\ntitle = "Повышение квалификации"\ntable'),
     [("toml-bad-value", "summaries[1].sheet")]),
    ("unknown-placeholder", COURSES,
     lambda t: replace_once(t, "в период {period}", "в период {период}"),
     [("spec-unknown-placeholder", "summaries[1].note")]),
    ("placeholder-of-another-text", COURSES,
     lambda t: replace_once(t, "в период {period}", "в период {count}"),
     [("toml-bad-value", "summaries[1].note")]),
    ("same-role-twice", COURSES,
     lambda t: replace_once(t, 'role = "start"', 'role = "end"'),
     [("toml-duplicate", "columns[6].role"), ("spec-missing-role", "summaries[1].order")]),
    ("best-without-ranking", TEXTBOOKS,
     lambda t: replace_once(t, 'kind = "ranking"', 'kind = "rating"'),
     [("toml-bad-value", "summaries[1].kind"), ("toml-bad-value", "figures[1].count")]),
    ("progress-on-a-free-form", COURSES,
     lambda t: t + '\n[[summaries]]\nkind = "progress"\nsheet = "План"\ntitle = "План"\n'
                   'table = "tbl_plan"\nabout = "план"\n',
     [("toml-bad-value", "summaries[2].kind")] + [("spec-missing-role", "summaries[2].kind")] * 5),
]


@pytest.mark.parametrize(("name", "edit", "expected"), [case[1:] for case in BROKEN],
                         ids=[case[0] for case in BROKEN])
def test_broken_declaration_is_a_problem_naming_file_and_key(tmp_path, name, edit, expected):
    (tmp_path / name).write_text(edit(template(name)), encoding="utf-8")
    problems = load_problems(tmp_path)
    assert [(p.code, p.file, p.field) for p in problems] == [
        (code, str(tmp_path / name), key) for code, key in expected]
    for problem, (_, key) in zip(problems, expected, strict=True):
        assert str(problem).startswith(f"Файл «{tmp_path / name}»: Ключ «{key}»")


def test_messages_say_what_is_missing_and_what_to_do(tmp_path):
    (tmp_path / TEXTBOOKS).write_text(
        replace_once(template(TEXTBOOKS), 'by = "class"', 'by = "klass"'), encoding="utf-8")
    (tmp_path / ROADMAP).write_text(
        replace_once(template(ROADMAP), 'done = "Выполнено"', 'done = "Выполнен"'),
        encoding="utf-8")
    messages = [p.message for p in load_problems(tmp_path)]
    assert messages == [
        "Ключ «columns[8].meanings.done»: значения «Выполнен» нет в списке выбора (choices) "
        "столбца «Статус». Исправьте значение или список выбора: они должны совпадать.",
        "Ключ «summaries[1].by»: для этого нужен столбец с ролью «klass», а в форме его нет. "
        "Добавьте role = \"klass\" нужному столбцу или исправьте ключ.",
    ]


def test_the_same_table_in_two_forms(tmp_path):
    (tmp_path / COURSES).write_text(template(COURSES), encoding="utf-8")
    (tmp_path / PRACTICES).write_text(
        replace_once(template(PRACTICES), 'table = "tbl_practices"', 'table = "tbl_courses"'),
        encoding="utf-8")
    (problem,) = load_problems(tmp_path)
    assert (problem.code, Path(problem.file).name, problem.field) == (
        "toml-duplicate", COURSES, "summaries[1].table")
    assert f"уже встречается в {tmp_path / PRACTICES}, summaries[1].table" in problem.message


def test_collect_with_a_broken_declaration_exits_2_with_the_message(tmp_path):
    root = tmp_path / "школа"
    init_workspace(root, today=TODAY)
    path = root / "шаблоны" / TEXTBOOKS
    path.write_text(replace_once(path.read_text(encoding="utf-8"), 'by = "class"',
                                 'by = "klass"'), encoding="utf-8")
    result = CliRunner().invoke(cli, ["collect", str(root), "--period", "2027-04"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"Ошибка. Файл «{path}»: Ключ «summaries[1].by»: для этого нужен столбец с ролью "
        "«klass», а в форме его нет. Добавьте role = \"klass\" нужному столбцу или исправьте "
        "ключ.\n")
    assert not list((root / "отчёты").glob("*.xlsx"))


def test_templates_copied_before_summaries_existed_are_named_by_collect(tmp_path):
    # A school's own copy of a template from before [[summaries]]: the report would silently
    # lack the form's sheets, so collect says which file and what to copy from where.
    root = tmp_path / "школа"
    init_workspace(root, today=TODAY)
    path = root / "шаблоны" / TEXTBOOKS
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("[[summaries]]")], encoding="utf-8")
    result = CliRunner().invoke(cli, ["collect", str(root), "--period", "2027-04"])
    assert result.exit_code == 0
    shipped = DEFAULT_TEMPLATES / TEXTBOOKS
    assert result.stdout.splitlines()[0] == (
        f"  замечание: Файл «{path}»: В шаблоне нет сводок отчёта ([[summaries]]), а в шаблоне "
        "этой формы из поставки ibc-xls они есть: шаблон скопирован раньше, чем они появились, "
        "и в отчёте не будет листов этой формы. Скопируйте в него блоки [[summaries]] и "
        f"[[figures]] из «{shipped}» (см. в README раздел «Свои формы и сводки отчёта»).")
    assert sum("замечание: Файл" in line for line in result.stdout.splitlines()) == 1
    # The school's other templates, and a school with the shipped copies, get no such line.
    fresh = tmp_path / "другая"
    init_workspace(fresh, today=TODAY)
    again = CliRunner().invoke(cli, ["collect", str(fresh), "--period", "2027-04"])
    assert again.exit_code == 0 and "В шаблоне нет сводок" not in again.stdout


# --- a school changes its forms: TOML only -----------------------------------------------------

EVENTS = '''# Своя форма школы: мероприятия ИБЦ.
id = "events"
version = 1
sheet = "Мероприятия ИБЦ"
title = "Мероприятия ИБЦ"
filled_by = ["ibc_head"]
rows = "free"
input_rows = 10

[[columns]]
key = "date"
title = "Дата"
type = "date"
required = true
role = "date"

[[columns]]
key = "kind"
title = "Вид"
type = "choice"
required = true
choices = ["Выставка", "Библиотечный урок", "Встреча с автором"]
role = "kind"

[[columns]]
key = "audience"
title = "Для кого"
type = "choice"
required = true
choices = ["1–4 классы", "5–9 классы", "10–11 классы"]
role = "audience"

[[columns]]
key = "visitors"
title = "Посетителей"
type = "integer"
min = 0
role = "visitors"

[[summaries]]
kind = "crosstab"
rows = "kind"
columns = "audience"
sheet = "Мероприятия ИБЦ"
title = "Мероприятия ИБЦ по видам и классам"
table = "tbl_events"
about = "мероприятия по видам и классам"
note = "Мероприятия за период {period}, без ошибок."
chart = { type = "column", title = "Мероприятия по видам" }

[[summaries]]
kind = "listing"
order = ["-date"]
total = "visitors"
sheet = "Список мероприятий"
title = "Мероприятия ИБЦ за период"
table = "tbl_events_list"
about = "все мероприятия, посетители"

[[figures]]
label = "Посетителей мероприятий ИБЦ"
count = "sum"
of = "visitors"
note = "мероприятий: {count}"
'''
EVENT_ROWS = [
    {"Дата": "12.10.2026", "Вид": "Выставка", "Для кого": "5–9 классы", "Посетителей": 120},
    {"Дата": "03.11.2026", "Вид": "Встреча с автором", "Для кого": "10–11 классы",
     "Посетителей": 45},
    {"Дата": "20.11.2026", "Вид": "Выставка", "Для кого": "1–4 классы", "Посетителей": 80},
    {"Дата": "15.09.2026", "Вид": "Выставка", "Для кого": "1–4 классы",
     "Посетителей": 300},  # before the period
]
FAVOURITE = '\n[[columns]]\nkey = "favourite"\ntitle = "Любимая книга"\nmax_length = 200\n'


def _rename(text: str, pairs: list[tuple[str, str]]) -> str:
    for old, new in pairs:
        text = replace_once(text, old, new)
    return text


def edit_school(root: Path) -> None:
    """Rename column keys everywhere a spec names them (keys, rules, prefilled rows), add a
    column to the diaries and a form of the school's own, listed in the settings."""
    folder = root / "шаблоны"
    renames = {
        ROADMAP: [('key = "status"', 'key = "state"'), ('field = "status"', 'field = "state"'),
                  ('key = "stage"', 'key = "phase"')],
        CONTEST: [('key = "pupil"', 'key = "name"'),
                  ('fields = ["pupil", "nomination", "stage"]',
                   'fields = ["name", "nomination", "stage"]')],
        TEXTBOOKS: [('key = "checked"', 'key = "n_checked"'), ('right = "checked"',
                                                                'right = "n_checked"'),
                    ('left = ["checked"]', 'left = ["n_checked"]'),
                    ('key = "score_covers"', 'key = "covers"'), ('key = "class"', 'key = "cls"')],
        DIARIES: [('key = "pupil"', 'key = "child"'),
                  ('fields = ["pupil", "class"]', 'fields = ["child", "class"]'),
                  ('key = "books"', 'key = "read"')],
        MEETINGS: [('key = "topic"', 'key = "theme"'), ('field = "topic"', 'field = "theme"')],
        COURSES: [('key = "hours"', 'key = "hrs"'), ('key = "start"', 'key = "begins"'),
                  ('left = ["start"]', 'left = ["begins"]')],
    }
    for name, pairs in renames.items():
        path = folder / name
        text = _rename(path.read_text(encoding="utf-8"), pairs)
        if name == ROADMAP:  # the prefilled rows name the renamed key too
            text = re.sub(r"^stage = ", "phase = ", text, flags=re.MULTILINE)
        if name == DIARIES:
            text += FAVOURITE
        path.write_text(text, encoding="utf-8")
    (folder / "10_events.toml").write_text(EVENTS, encoding="utf-8")
    settings = root / CONFIG_NAME
    text = replace_once(settings.read_text(encoding="utf-8"), '"practices", "courses"]',
                        '"practices", "courses", "events"]')
    settings.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def shipped_school(tmp_path_factory):
    config = build_school(tmp_path_factory.mktemp("shipped") / "школа")
    return config, judge(config)


@pytest.fixture(scope="module")
def shipped(shipped_school) -> Consolidated:
    config, report = shipped_school
    return consolidate(report, config, config.specs(), PERIOD, TODAY)


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    config = build_school(tmp_path_factory.mktemp("edited") / "школа", edit=edit_school,
                          extra={"Мероприятия ИБЦ": EVENT_ROWS})
    report = judge(config)
    data = consolidate(report, config, config.specs(), PERIOD, TODAY)
    path = tmp_path_factory.mktemp("out") / "отчёт.xlsx"
    write_report(data, path, dt.datetime(2026, 11, 25, 10, 30))
    return config, report, data, path


def figures(data: Consolidated) -> dict:
    return dict(zip(data.figures.frame["Показатель"], data.figures.frame["Значение"],
                    strict=True))


def same_tables(shipped: Consolidated, other: Consolidated, words: dict[str, str] | None = None,
                drop: dict[str, list[str]] | None = None) -> None:
    """Every summary of the shipped report is in the other, with the same values (the other's
    retyped words read back as the shipped ones)."""
    back = {new: old for old, new in (words or {}).items()}
    for shown in shipped.summaries:
        name = shown.summary.table
        theirs = other.summary(name).frame.drop(columns=(drop or {}).get(name, []))
        if back:
            theirs = theirs.rename(columns=back).replace(back)
        pd.testing.assert_frame_equal(theirs, shown.table.frame, obj=name)
        total = other.summary(name).total
        assert (total and {back.get(k, k): v for k, v in total.items()}) == shown.table.total


def test_the_edited_school_has_no_problems_of_its_own(edited, shipped_school):
    """The same problems as the shipped school's: the scenario's own, nothing more."""
    def problems(report):
        return sorted((Path(f.file).name, p.code, p.sheet, p.cell, p.message)
                      for f in report.files for p in f.problems)
    assert problems(edited[1]) == problems(shipped_school[1])


def test_renamed_keys_an_added_column_and_a_new_form_leave_the_figures_as_they_were(
        shipped, edited):
    _, _, data, _ = edited
    same_tables(shipped, data, drop={"tbl_diaries_top": ["Любимая книга"]})
    mine = figures(data)
    assert mine.pop("Посетителей мероприятий ИБЦ") == 120 + 45 + 80
    assert mine == figures(shipped)


def test_an_added_column_is_in_the_blank_and_in_the_data_sheet(edited):
    config, _, data, path = edited
    blank = openpyxl.load_workbook(config.folders["outgoing"] / next(
        p.name for p in config.folders["outgoing"].iterdir() if "5А" in p.name))
    headers = [c.value for c in blank["Читательский дневник"][4]]
    assert header_key(headers[-1]) == header_key("Любимая книга")
    assert "Любимая книга" in read_tables(path)["tbl_data_diaries"][0]
    assert "Любимая книга" in data.summary("tbl_diaries_top").frame.columns


def test_a_new_form_gets_its_own_sheets_tables_chart_and_figure(edited):
    _, _, data, path = edited
    tables = read_tables(path)
    by_kind = {r["Вид"]: r for r in tables["tbl_events"]}
    assert (by_kind["Выставка"]["1–4 классы"], by_kind["Выставка"]["5–9 классы"],
            by_kind["Выставка"]["Всего"]) == (1, 1, 2)  # the September one is outside
    assert by_kind["Встреча с автором"]["10–11 классы"] == 1
    assert by_kind["Библиотечный урок"]["Всего"] == 0
    assert [r["Посетителей"] for r in tables["tbl_events_list"]] == [80, 45, 120]  # newest first
    key_figures = {r["Показатель"]: r for r in tables["tbl_key_figures"]}
    assert key_figures["Посетителей мероприятий ИБЦ"]["Значение"] == 245
    assert key_figures["Посетителей мероприятий ИБЦ"]["Пояснение"] == "мероприятий: 3"
    assert tables["tbl_data_events"][0]["Вид"] == "Выставка"
    sheets = [sheet for sheet, _ in contents(data)]
    assert sheets[sheets.index("Повышение квалификации") + 1:][:3] == [
        "Мероприятия ИБЦ", "Список мероприятий", "Сдача книг"]
    book = openpyxl.load_workbook(path)
    assert len(book["Мероприятия ИБЦ"]._charts) == 1
    assert book["Мероприятия ИБЦ"]["A2"].value == \
        "Мероприятия за период 01.10.2026 – 31.03.2027, без ошибок."


WORDS = {"Выполнено": "Сделано", "В работе": "В процессе", "Призёр": "Лауреат"}


def retype_choices(root: Path) -> None:
    """«Выполнено» → «Сделано» and «В работе» → «В процессе» in the roadmap's choices, rule
    and meanings; «Призёр» → «Лауреат» in the contest's choices and its award meaning."""
    folder = root / "шаблоны"
    for name, pairs in {
        ROADMAP: [('"В работе", "Выполнено"', '"В процессе", "Сделано"'),
                  ('equals = "Выполнено"', 'equals = "Сделано"'),
                  ('done = "Выполнено"', 'done = "Сделано"'),
                  ('in_work = "В работе"', 'in_work = "В процессе"')],
        CONTEST: [('["Участник", "Призёр", "Победитель"]', '["Участник", "Лауреат", "Победитель"]'),
                  ('award = ["Призёр", "Победитель"]', 'award = ["Лауреат", "Победитель"]')],
    }.items():
        path = folder / name
        path.write_text(_rename(path.read_text(encoding="utf-8"), pairs), encoding="utf-8")


def test_renamed_choices_with_their_meanings_leave_the_figures_as_they_were(shipped,
                                                                            tmp_path):
    config = build_school(tmp_path / "школа", edit=retype_choices, words=WORDS)
    data = consolidate(judge(config), config, config.specs(), PERIOD, TODAY)
    statuses = next(s for s in config.specs() if s.id == "roadmap").column("status").choices
    assert "Сделано" in statuses and "Выполнено" not in statuses
    same_tables(shipped, data, words=WORDS)
    assert figures(data) == figures(shipped)
    assert figures(data)["Выполнено"] > 0  # the label is the spec's; the count is of «Сделано»


def test_renaming_a_choice_without_its_meaning_is_caught_when_loaded(tmp_path):
    folder = copy_templates(tmp_path / "шаблоны")
    path = folder / ROADMAP
    path.write_text(replace_first(path.read_text(encoding="utf-8"), '"В работе", "Выполнено"',
                                  '"В работе", "Сделано"'), encoding="utf-8")
    (problem,) = load_problems(folder)
    assert (problem.code, problem.field, problem.value) == (
        "spec-bad-meaning", "columns[8].meanings.done", "Выполнено")


def test_shipped_templates_declare_todays_report(tmp_path):
    specs = load_specs(copy_templates(tmp_path / "шаблоны"))
    tables = [s.table for spec in specs for s in spec.summaries]
    assert tables == ["tbl_roadmap", "tbl_roadmap_stages", "tbl_reading_contest",
                      "tbl_reading_contest_awards", "tbl_textbooks_ranking", "tbl_diaries_top",
                      "tbl_meeting_topics", "tbl_meetings", "tbl_practices", "tbl_courses"]
