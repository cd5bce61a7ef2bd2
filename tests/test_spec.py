"""Form specs: the shipped templates load, a broken spec is reported with its file and key, and a
school changes its forms by editing the spec files only."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from ibc_xls.forms.spec import RESERVED_SHEETS, date_bound, load_specs
from ibc_xls.problems import IbcError

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"
TEXTBOOKS = "05_textbooks.toml"
ROADMAP = "01_roadmap.toml"

# DESIGN §3: each form of the design and the sheets that carry it. «Подготовка» is split into
# documents and explanatory work, «Кадры» into its two tables (4.1 and 4.2).
DESIGN_FORMS = {
    "Дорожная карта": {"Дорожная карта"},
    "Подготовка": {"Нормативные документы", "Разъяснительная работа"},
    "Учиться читать": {"Учиться читать"},
    "Сохранность учебников": {"Сохранность учебников"},
    "Читательский дневник": {"Читательский дневник"},
    "Методические встречи": {"Методические встречи"},
    "Кадры": {"Обмен опытом", "Повышение квалификации"},
}
SEED_ITEMS = {
    "Нормативные документы": {"1.1", "1.3", "1.4"},
    "Разъяснительная работа": {"1.2"},
    "Учиться читать": {"2.1"},
    "Сохранность учебников": {"2.2"},
    "Читательский дневник": {"2.3"},
    "Методические встречи": {"3", "3.1", "3.2", "3.3", "3.4"},
    "Обмен опытом": {"4.1"},
    "Повышение квалификации": {"4.2"},
}


def template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def replace_once(text: str, old: str, new: str) -> str:
    """Replace ``old`` exactly once; a template that no longer contains it fails the test
    loudly instead of silently testing nothing."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def replace_first(text: str, old: str, new: str) -> str:
    assert old in text, f"{old!r} not found"
    return text.replace(old, new, 1)


def copy_templates(folder: Path) -> Path:
    shutil.copytree(TEMPLATES, folder)
    return folder


def load_problems(folder: Path) -> list:
    with pytest.raises(IbcError) as raised:
        load_specs(folder)
    return raised.value.problems


# ---------------------------------------------------------------------------------------------
# The shipped templates


@pytest.fixture(scope="module")
def specs():
    return load_specs(TEMPLATES)


def test_nine_forms_with_unique_ids_and_sheets(specs):
    assert [s.id for s in specs] == ["roadmap", "documents", "explanatory", "reading_contest",
                                     "textbooks", "diaries", "meetings", "practices", "courses"]
    assert len({s.id for s in specs}) == 9
    assert len({s.sheet.casefold() for s in specs}) == 9


def test_every_design_form_is_present_by_sheet(specs):
    sheets = {s.sheet for s in specs}
    for form, wanted in DESIGN_FORMS.items():
        assert wanted <= sheets, f"DESIGN §3 form «{form}» is missing: {wanted - sheets}"
    assert sheets == set().union(*DESIGN_FORMS.values())


def test_forms_cover_their_seed_items(specs):
    by_sheet = {s.sheet: s for s in specs}
    for sheet, items in SEED_ITEMS.items():
        assert set(by_sheet[sheet].seed_items) == items, sheet


def test_sheet_names_are_valid_excel_names(specs):
    for spec in specs:
        assert 1 <= len(spec.sheet) <= 31
        assert not set(spec.sheet) & set("[]:*?/\\")
        assert spec.sheet.casefold() not in {s.casefold() for s in RESERVED_SHEETS}


def test_sources_and_roles(specs):
    assert [Path(s.source).name for s in specs] == sorted(p.name for p in TEMPLATES.glob("*.toml"))
    roles = {s.id: set(s.filled_by) for s in specs}
    assert roles["roadmap"] == {"ibc_head"}
    assert roles["documents"] == roles["explanatory"] == {"ibc_head", "director"}
    for form in ("reading_contest", "textbooks", "diaries"):
        assert roles[form] == {"class_teacher"}


def test_roadmap_status_column_matches_design(specs):
    roadmap = next(s for s in specs if s.id == "roadmap")
    status = roadmap.column("status")
    assert status.type == "choice"
    assert status.required
    assert status.choices == ("Не начато", "В работе", "Выполнено", "Перенесено",
                              "Не выполняется")
    assert [c.title for c in roadmap.input_columns] == [
        "Статус", "Дата выполнения", "Результат или документ", "Комментарий"]


def test_date_bound():
    assert date_bound(None, 2025) is None
    assert date_bound("year_start", 2025) == dt.date(2025, 9, 1)
    assert date_bound("year_end", 2025) == dt.date(2026, 8, 31)
    assert date_bound("2024-01-01", 2025) == dt.date(2024, 1, 1)


# ---------------------------------------------------------------------------------------------
# Broken specs: every problem names the file and the exact key


def _textbooks(edit: Callable[[str], str]) -> dict[str, str]:
    return {TEXTBOOKS: edit(template(TEXTBOOKS))}


def _roadmap(edit: Callable[[str], str]) -> dict[str, str]:
    return {ROADMAP: edit(template(ROADMAP))}


def _sheet(name: str) -> Callable[[str], str]:
    return lambda t: replace_first(t, 'sheet = "Сохранность учебников"', f'sheet = "{name}"')


SECOND_ID = 'id = "textbooks"'
SECOND_SHEET = 'sheet = "Сохранность учебников"'  # the form's; its summary's sheet comes later
# A copy of a form declares the same summaries: their sheets and tables are taken already.
COPIED_SUMMARY = [("toml-duplicate", "06_copy.toml", "summaries[1].sheet"),
                  ("toml-duplicate", "06_copy.toml", "summaries[1].table")]

# (test id, files to write, (code, file name, key) or a list of them: every problem expected)
BROKEN = [
    ("toml-syntax", _textbooks(lambda t: replace_first(
        t, 'sheet = "Сохранность учебников"', 'sheet = "Сохранность учебников')),
     ("toml-syntax", TEXTBOOKS, "")),
    ("missing-sheet", _textbooks(lambda t: replace_first(t, 'sheet = "Сохранность учебников"\n',
                                                         "")),
     ("toml-missing-key", TEXTBOOKS, "sheet")),
    ("missing-column-title",
     _textbooks(lambda t: replace_once(t, 'title = "Уча\\u00adщихся"\n', "")),
     ("toml-missing-key", TEXTBOOKS, "columns[3].title")),
    ("unknown-column-type", _textbooks(lambda t: replace_once(
        t, 'type = "class"', 'type = "klass"')),
     ("toml-bad-value", TEXTBOOKS, "columns[2].type")),
    ("unknown-top-key", _textbooks(lambda t: replace_once(
        t, 'version = 1\n', 'version = 1\ncolour = "red"\n')),
     ("toml-unknown-key", TEXTBOOKS, "colour")),
    ("unknown-column-key", _textbooks(lambda t: replace_once(t, "width = 8\n", "widht = 8\n")),
     ("toml-unknown-key", TEXTBOOKS, "columns[2].widht")),
    ("unknown-rule-key", _textbooks(lambda t: replace_once(
        t, 'right = "issued"\n', 'right = "issued"\nseverity = "warning"\n')),
     ("toml-unknown-key", TEXTBOOKS, "rules[2].severity")),
    ("choice-without-choices", _textbooks(lambda t: replace_once(
        t, 'type = "class"', 'type = "choice"')),
     ("toml-missing-key", TEXTBOOKS, "columns[2].choices")),
    ("choices-on-integer", _textbooks(lambda t: replace_once(
        t, "min = 1\nmax = 45\n", 'min = 1\nmax = 45\nchoices = ["1", "2"]\n')),
     ("toml-bad-value", TEXTBOOKS, "columns[3].choices")),
    ("min-greater-than-max", _textbooks(lambda t: replace_once(
        t, "min = 1\nmax = 45\n", "min = 50\nmax = 45\n")),
     ("toml-bad-value", TEXTBOOKS, "columns[3].min")),
    ("date-min-after-date-max", _textbooks(lambda t: replace_once(
        t, 'min = "year_start"\nmax = "year_end"\n', "min = 2026-09-01\nmax = 2025-09-01\n")),
     ("toml-bad-value", TEXTBOOKS, "columns[1].min")),
    ("fractional-integer-bound", _textbooks(lambda t: replace_once(
        t, "min = 1\nmax = 45\n", "min = 1\nmax = 45.5\n")),
     ("toml-bad-value", TEXTBOOKS, "columns[3].max")),
    ("date-bound-text", _textbooks(lambda t: replace_once(
        t, 'min = "year_start"', 'min = "начало года"')),
     ("toml-bad-value", TEXTBOOKS, "columns[1].min")),
    ("date-bound-dotted", _textbooks(lambda t: replace_once(
        t, 'max = "year_end"', 'max = "31.08.2026"')),
     ("toml-bad-value", TEXTBOOKS, "columns[1].max")),
    ("date-bound-number", _textbooks(lambda t: replace_once(
        t, 'max = "year_end"', "max = 2026")),
     ("toml-bad-value", TEXTBOOKS, "columns[1].max")),
    ("date-bound-datetime", _textbooks(lambda t: replace_once(
        t, 'min = "year_start"', "min = 2025-09-01T08:00:00")),
     ("toml-bad-value", TEXTBOOKS, "columns[1].min")),
    ("duplicate-column-key", _textbooks(lambda t: replace_once(
        t, 'key = "score_bookmarks"', 'key = "score_covers"')),
     ("toml-duplicate", TEXTBOOKS, "columns[11].key")),
    ("duplicate-column-title", _textbooks(lambda t: replace_once(
        t, 'title = "Закладки (0–5)"', 'title = "Обложки (0–5)"')),
     ("toml-duplicate", TEXTBOOKS, "columns[11].title")),
    ("duplicate-column-title-other-case", _textbooks(lambda t: replace_once(
        t, 'title = "Закладки (0–5)"', 'title = "обложки (0–5)"')),
     ("toml-duplicate", TEXTBOOKS, "columns[11].title")),
    ("sheet-too-long", _textbooks(_sheet("Я" * 32)), ("toml-bad-value", TEXTBOOKS, "sheet")),
    ("sheet-with-colon", _textbooks(_sheet("Учебники: сохранность")),
     ("toml-bad-value", TEXTBOOKS, "sheet")),
    ("sheet-with-slash", _textbooks(_sheet("Учебники/сохранность")),
     ("toml-bad-value", TEXTBOOKS, "sheet")),
    ("rule-unknown-right", _textbooks(lambda t: replace_once(
        t, 'right = "issued"', 'right = "issued_total"')),
     ("toml-bad-value", TEXTBOOKS, "rules[2].right")),
    ("rule-unknown-left", _textbooks(lambda t: replace_once(
        t, 'left = ["checked"]', 'left = ["cheked"]')),
     ("toml-bad-value", TEXTBOOKS, "rules[2].left")),
    ("rule-unknown-kind", _textbooks(lambda t: replace_first(
        t, 'kind = "le"', 'kind = "lt"')),
     ("toml-bad-value", TEXTBOOKS, "rules[1].kind")),
    ("fixed-row-missing-prefilled", _roadmap(lambda t: replace_first(
        t, 'due = "Май 2024 года"\ndeadline = "31.05.2024"\n', 'due = "Май 2024 года"\n')),
     ("toml-missing-key", ROADMAP, "fixed_rows[1].deadline")),
    ("fixed-row-with-input-column", _roadmap(lambda t: replace_first(
        t, 'part = "1.1"\n', 'part = "1.1"\nstatus = "Выполнено"\n')),
     ("toml-unknown-key", ROADMAP, "fixed_rows[1].status")),
    ("fixed-rows-on-free-form", _textbooks(lambda t: t + '\n[[fixed_rows]]\ndate = "x"\n'),
     [("toml-bad-value", TEXTBOOKS, "fixed_rows"),
      ("toml-unknown-key", TEXTBOOKS, "fixed_rows[1].date")]),
    ("bad-form-id", _textbooks(lambda t: replace_once(t, SECOND_ID, 'id = "Учебники"')),
     ("toml-bad-value", TEXTBOOKS, "id")),
    ("unknown-role", _textbooks(lambda t: replace_once(
        t, 'filled_by = ["class_teacher"]', 'filled_by = ["teacher"]')),
     ("toml-bad-value", TEXTBOOKS, "filled_by")),
    ("same-id-in-two-files", {
        TEXTBOOKS: template(TEXTBOOKS),
        "06_copy.toml": replace_first(template(TEXTBOOKS), SECOND_SHEET, 'sheet = "Копия"')},
     [("toml-duplicate", "06_copy.toml", "id"), *COPIED_SUMMARY]),
    ("same-sheet-in-two-files", {
        TEXTBOOKS: template(TEXTBOOKS),
        "06_copy.toml": replace_once(template(TEXTBOOKS), SECOND_ID, 'id = "copy"')},
     [("toml-duplicate", "06_copy.toml", "sheet"), *COPIED_SUMMARY]),
    ("same-sheet-other-case", {
        TEXTBOOKS: template(TEXTBOOKS),
        "06_copy.toml": replace_first(
            replace_once(template(TEXTBOOKS), SECOND_ID, 'id = "copy"'),
            SECOND_SHEET, 'sheet = "СОХРАННОСТЬ УЧЕБНИКОВ"')},
     [("toml-duplicate", "06_copy.toml", "sheet"), *COPIED_SUMMARY]),
    ("reserved-sheet", _textbooks(_sheet("Списки")), ("toml-bad-value", TEXTBOOKS, "sheet")),
    ("reserved-sheet-other-case", _textbooks(_sheet("инструкция")),
     ("toml-bad-value", TEXTBOOKS, "sheet")),
]


@pytest.mark.parametrize(("files", "expected"), [case[1:] for case in BROKEN],
                         ids=[case[0] for case in BROKEN])
def test_broken_spec_is_reported_with_file_and_key(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    problems = load_problems(tmp_path)
    expected = expected if isinstance(expected, list) else [expected]
    assert [(p.code, p.file, p.field) for p in problems] == [
        (code, str(tmp_path / file_name), key) for code, file_name, key in expected]
    for problem, (_, file_name, key) in zip(problems, expected, strict=True):
        rendered = str(problem)
        assert rendered.startswith(f"Файл «{tmp_path / file_name}»: ")
        if key:
            assert f"«{key}»" in rendered


def test_syntax_error_message_names_the_place(tmp_path):
    text = replace_first(template(TEXTBOOKS), 'sheet = "Сохранность учебников"',
                         'sheet = "Сохранность учебников')
    (tmp_path / TEXTBOOKS).write_text(text, encoding="utf-8")
    (problem,) = load_problems(tmp_path)
    assert "Файл нельзя прочитать как TOML" in str(problem)
    # The reason names the line, in tomllib's English today or in Russian later.
    assert re.search(r"(line|строк[аеи]) 4\b", str(problem))


def test_every_broken_file_is_reported_at_once(tmp_path):
    """A broken file does not hide the problems of the next one."""
    (tmp_path / "a.toml").write_text("id = \n", encoding="utf-8")
    (tmp_path / TEXTBOOKS).write_text(
        _sheet("Списки")(template(TEXTBOOKS)), encoding="utf-8")
    (tmp_path / ROADMAP).write_text(
        replace_once(template(ROADMAP), 'orientation = "landscape"', 'orientation = "альбомная"'),
        encoding="utf-8")
    problems = load_problems(tmp_path)
    assert {(Path(p.file).name, p.code, p.field) for p in problems} == {
        ("a.toml", "toml-syntax", ""),
        (ROADMAP, "toml-bad-value", "orientation"),
        (TEXTBOOKS, "toml-bad-value", "sheet"),
    }


def test_a_mistyped_column_type_is_reported_once(tmp_path):
    """One typo, one problem: the column with a wrong type still exists for its choices and
    for the rule that names it, so neither is reported as well."""
    (tmp_path / ROADMAP).write_text(
        replace_once(template(ROADMAP), 'type = "choice"', 'type = "select"'), encoding="utf-8")
    problems = load_problems(tmp_path)
    assert [(p.code, p.field) for p in problems] == [("toml-bad-value", "columns[8].type")]


def test_sheet_of_31_characters_is_allowed(tmp_path):
    (tmp_path / TEXTBOOKS).write_text(_sheet("Я" * 31)(template(TEXTBOOKS)), encoding="utf-8")
    (spec,) = load_specs(tmp_path)
    assert spec.sheet == "Я" * 31


def test_empty_folder(tmp_path):
    (tmp_path / "readme.txt").write_text("не шаблон", encoding="utf-8")
    problems = load_problems(tmp_path)
    assert [(p.code, p.file) for p in problems] == [("spec-empty", str(tmp_path))]
    assert str(problems[0]).startswith(f"Файл «{tmp_path}»: В папке нет ни одного шаблона")


# ---------------------------------------------------------------------------------------------
# A school edits its forms in the spec files, with no code involved


def test_school_edits_a_choice_list_a_bound_and_a_title(tmp_path):
    folder = copy_templates(tmp_path / "шаблоны")
    roadmap = folder / ROADMAP
    roadmap.write_text(replace_once(
        roadmap.read_text(encoding="utf-8"),
        '"Перенесено", "Не выполняется"]', '"Перенесено", "Отменено"]'), encoding="utf-8")
    textbooks = folder / TEXTBOOKS
    text = replace_once(textbooks.read_text(encoding="utf-8"), "min = 1\nmax = 45\n",
                        "min = 1\nmax = 40\n")
    text = replace_once(text, 'title = "Уча\\u00adщихся"', 'title = "Учеников в классе"')
    text = replace_once(text, 'max = "year_end"', "max = 2027-06-30")
    textbooks.write_text(text, encoding="utf-8")

    edited = {s.id: s for s in load_specs(folder)}
    shipped = {s.id: s for s in load_specs(TEMPLATES)}
    assert edited["roadmap"].column("status").choices == (
        "Не начато", "В работе", "Выполнено", "Перенесено", "Отменено")
    pupils = edited["textbooks"].column("pupils")
    assert (pupils.title, pupils.min, pupils.max) == ("Учеников в классе", 1, 40)
    assert edited["textbooks"].column("date").max == "2027-06-30"
    assert date_bound(edited["textbooks"].column("date").max, 2026) == dt.date(2027, 6, 30)
    # Nothing else changed.
    for form in shipped:
        if form not in ("roadmap", "textbooks"):
            assert edited[form].columns == shipped[form].columns
    assert shipped["textbooks"].column("pupils").max == 45


def test_school_adds_a_column(tmp_path):
    folder = copy_templates(tmp_path / "шаблоны")
    path = folder / "06_diaries.toml"
    path.write_text(path.read_text(encoding="utf-8")
                    + '\n[[columns]]\nkey = "favourite"\ntitle = "Любимая книга"\n'
                      "max_length = 200\n", encoding="utf-8")
    diaries = next(s for s in load_specs(folder) if s.id == "diaries")
    favourite = diaries.columns[-1]
    assert (favourite.key, favourite.title, favourite.type, favourite.max_length) == (
        "favourite", "Любимая книга", "text", 200)
