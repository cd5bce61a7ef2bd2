"""``ibc-xls review``: a copy of each return with problems for its respondent, every value in
its cell, each problem marked, a first sheet «Что исправить», and a list for sending them.

Returns are filled with openpyxl as staff type; the copies are read back with openpyxl (styles,
comments, links, protection, validations, properties) and judged again by ``check_paths``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from fill import DIARY_ROW, FIRST, column_of, fill

from ibc_xls.checking.check import check_paths
from ibc_xls.cli import cli
from ibc_xls.forms.identity import IDENTITY_SHEET, PROPERTY_PREFIX
from ibc_xls.forms.layout import INSTRUCTIONS_SHEET, REVIEW_SHEET
from ibc_xls.review.copies import SENDING_LIST, review
from ibc_xls.settings.config import load_config
from ibc_xls.sheets.formats import ERROR_FILL, INPUT_FILL, WARNING_FILL

REPO = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 25)
CREATED = dt.datetime(2026, 11, 26, 9, 30)
TEACHER = "1А класс — Смирнова Ольга Викторовна"
SCORES = ("Обложки (0–5)", "Закладки (0–5)", "Подписаны (0–5)", "Чистота, без пометок (0–5)",
          "Наличие по расписанию (0–5)")
DIARIES, TEXTBOOKS, CONTEST = "Читательский дневник", "Сохранность учебников", "Учиться читать"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fill_colour(cell) -> str:
    return "#" + (cell.fill.fgColor.rgb or "")[-6:].upper()


@pytest.fixture
def returned(config, generated) -> Path:
    """A class teacher's return with mistakes: a score of 7 (F6), a row without a name (A7),
    «много» for a number (C8), a text that starts with «=» for a number (D8), and a date
    typed as text month first (a warning)."""
    blank = config.folders["outgoing"] / f"{TEACHER}.xlsx"
    path = fill(blank, config.folders["returned"] / f"{TEACHER}.xlsx", {
        DIARIES: [
            DIARY_ROW,
            {**DIARY_ROW, "ФИО ученика": "Петрова Анна", "Полнота (0–5)": 7},
            {**DIARY_ROW, "ФИО ученика": None},
            {**DIARY_ROW, "ФИО ученика": "Сидоров Илья", "Прочитано книг": "много"},
        ],
        TEXTBOOKS: [{"Дата проверки": "10/14/2026", "Учащихся": 25, "Выдано учебников": 300,
                     "Проверено": 250, **dict.fromkeys(SCORES, 5)}],
    })
    book = openpyxl.load_workbook(path)
    ws = book[DIARIES]
    cell = ws.cell(FIRST + 3, column_of(ws, "Записей в дневнике"))
    cell.value, cell.data_type = "=1+1", "s"  # typed as text, not a formula
    book.save(path)
    return path


def test_copy_holds_every_value_and_marks_each_problem(config, returned):
    before = _sha(returned)
    result = review(config, as_of=AS_OF, created=CREATED)
    assert _sha(returned) == before  # the return is only read
    [entry] = result.entries
    assert (entry.status, entry.errors, entry.warnings) == ("written", 4, 1)
    assert entry.copy == config.folders["review"] / f"{TEACHER} (исправить).xlsx"

    book = openpyxl.load_workbook(entry.copy)
    assert book.sheetnames[:2] == [REVIEW_SHEET, INSTRUCTIONS_SHEET]
    assert book.active.title == REVIEW_SHEET
    ws = book[DIARIES]
    # Understood values as understood, the rest as read; text never becomes a formula.
    assert [ws.cell(5, c).value for c in range(1, 9)] == \
        ["Иванов Пётр", "1А", 12, 15, 5, 4, 5, 3]
    assert ws["E6"].value == 7 and ws["A7"].value is None
    assert ws["C8"].value == "много" and ws["C8"].data_type == "s"
    assert ws["D8"].value == "=1+1" and ws["D8"].data_type == "s"
    # The marks: fill and comment on the cells with problems, nothing on the others.
    assert _fill_colour(ws["E6"]) == ERROR_FILL
    assert "Число 7 вне допустимых пределов: от 0 до 5" in ws["E6"].comment.text
    assert ws["E6"].comment.text.startswith("Ошибка: ")
    assert "Не заполнено обязательное поле «ФИО ученика»" in ws["A7"].comment.text
    assert "«много» — не число" in ws["C8"].comment.text
    assert "«=1+1» — не число" in ws["D8"].comment.text
    assert _fill_colour(ws["B6"]) == INPUT_FILL and ws["B6"].comment is None
    assert not ws["E6"].protection.locked and ws.protection.sheet
    # The date understood month first is a date in the blank's format, marked as a warning.
    wt = book[TEXTBOOKS]
    assert wt["A5"].value == dt.datetime(2026, 10, 14)
    assert wt["A5"].number_format == "dd.mm.yyyy"
    assert _fill_colour(wt["A5"]) == WARNING_FILL
    assert wt["A5"].comment.text.startswith("Замечание: Дата «10/14/2026» понята как 14.10.2026")


def test_copy_is_the_respondents_blank(config, returned, generated):
    entry = review(config, as_of=AS_OF, created=CREATED).entries[0]
    copy = openpyxl.load_workbook(entry.copy)
    blank = openpyxl.load_workbook(config.folders["outgoing"] / f"{TEACHER}.xlsx")
    assert copy.sheetnames[1:] == blank.sheetnames
    props = {p.name: p.value for p in copy.custom_doc_props.props}
    assert props == {p.name: p.value for p in blank.custom_doc_props.props}
    assert props[PROPERTY_PREFIX + "respondent_id"] == "class_1А"
    assert copy[IDENTITY_SHEET].sheet_state == "hidden"
    for name in blank.sheetnames:
        a, b = copy[name], blank[name]
        assert a.protection.sheet == b.protection.sheet, name
        assert [(v.type, v.formula1, str(v.sqref)) for v in a.data_validations.dataValidation] \
            == [(v.type, v.formula1, str(v.sqref)) for v in b.data_validations.dataValidation]


def test_a_copy_read_back_finds_the_same_problems_in_the_same_cells(config, returned):
    entry = review(config, as_of=AS_OF, created=CREATED).entries[0]
    original = check_paths([returned], config, as_of=AS_OF).files[0]
    again = check_paths([entry.copy], config, as_of=AS_OF).files[0]
    errors = sorted((p.code, p.sheet, p.cell) for p in original.problems
                    if p.severity.value == "error")
    assert sorted((p.code, p.sheet, p.cell) for p in again.problems) == errors
    assert again.identity["respondent_id"] == "class_1А"


def test_what_to_fix_sheet_links_every_problem(config, returned):
    entry = review(config, as_of=AS_OF, created=CREATED).entries[0]
    ws = openpyxl.load_workbook(entry.copy)[REVIEW_SHEET]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Что исправить в книге" in texts
    assert f"Ваша книга «{TEACHER}.xlsx» проверена 25.11.2026: ошибок — 4, замечаний — 1." \
        in texts
    assert any("Отправьте заполненную книгу заведующему ИБЦ" in t for t in texts)
    assert "ошибка: нужно исправить" in texts and "замечание: проверьте значение" in texts
    links = {c.hyperlink.location: c.value for row in ws.iter_rows() for c in row
             if c.hyperlink}
    assert links == {f"'{TEXTBOOKS}'!A5": "A5", f"'{DIARIES}'!E6": "E6",
                     f"'{DIARIES}'!A7": "A7", f"'{DIARIES}'!C8": "C8", f"'{DIARIES}'!D8": "D8"}
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    assert ws.page_setup.scale >= 73  # 11-point text prints at 8 points or more
    assert ws.protection.sheet


def test_problems_without_a_cell_are_on_the_first_sheet(config, returned):
    book = openpyxl.load_workbook(returned)
    book[CONTEST].title = "Конкурс"  # the sheet is not found any more
    book.save(returned)
    entry = review(config, as_of=AS_OF, created=CREATED).entries[0]
    copy = openpyxl.load_workbook(entry.copy)
    assert CONTEST in copy.sheetnames  # the copy has the form again, as in the blank
    rows = [[c.value for c in row] for row in copy[REVIEW_SHEET].iter_rows()]
    general = next(r for r in rows if r[0] == 1)
    assert general[1:4] == [f"лист «{CONTEST}»", "—", "ошибка"]
    assert general[4].startswith(f"Лист «{CONTEST}» не найден")


def test_a_return_without_problems_gets_no_copy(config, generated):
    blank = config.folders["outgoing"] / f"{TEACHER}.xlsx"
    fill(blank, config.folders["returned"] / "1А.xlsx", {DIARIES: [DIARY_ROW]})
    result = review(config, as_of=AS_OF, created=CREATED)
    assert [(e.status, e.copy) for e in result.entries] == [("done", None)]
    assert [p.name for p in config.folders["review"].iterdir()] == [SENDING_LIST]


def test_refused_returns_get_no_copy_and_a_reason(config, returned):
    (config.folders["returned"] / "пусто.xlsx").write_bytes(b"")
    book = openpyxl.load_workbook(returned)
    book[IDENTITY_SHEET]["C4"] = "Кто-то другой"  # the respondent's name on the identity sheet
    book.save(config.folders["returned"] / "чужая.xlsx")
    result = review(config, as_of=AS_OF, created=CREATED)
    refused = {e.file.split("/")[-1]: e for e in result.entries if e.status == "refused"}
    assert set(refused) == {"пусто.xlsx", "чужая.xlsx"}
    assert refused["пусто.xlsx"].reason.startswith("Файл пустой (0 байт)")
    assert refused["чужая.xlsx"].reason.startswith("Паспорт бланка не сходится")
    names = sorted(p.name for p in config.folders["review"].iterdir())
    assert names == sorted([SENDING_LIST, f"{TEACHER} (исправить).xlsx"])


def test_sending_list_has_a_row_per_return(config, returned, generated):
    fill(config.folders["outgoing"] / "2А класс — Попова Татьяна Ивановна.xlsx",
         config.folders["returned"] / "2А.xlsx", {DIARIES: [DIARY_ROW]})
    (config.folders["returned"] / "пусто.xlsx").write_bytes(b"")
    review(config, as_of=AS_OF, created=CREATED)
    ws = openpyxl.load_workbook(config.folders["review"] / SENDING_LIST).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert rows[0] == ["Респондент", "Класс", "Сданная книга", "Ошибок", "Замечаний",
                       "Копия на исправление", "Что сделать"]
    assert rows[1] == ["Смирнова Ольга Викторовна", "1А", f"сданные/{TEACHER}.xlsx", 4, 1,
                       f"{TEACHER} (исправить).xlsx", "Отправить копию респонденту."]
    assert rows[2][0] == "(не указан)" and rows[2][2] == "сданные/пусто.xlsx"
    assert rows[2][6].startswith("Копии нет, свяжитесь с респондентом: Файл пустой")
    assert rows[3] == ["Попова Татьяна Ивановна", "2А", "сданные/2А.xlsx", 0, 0, None,
                       "Ничего: книга принята без замечаний."]
    assert ws.tables and ws.page_setup.paperSize == 9


def test_a_copy_open_in_a_spreadsheet_is_not_overwritten(config, returned, generated):
    fill(config.folders["outgoing"] / "2А класс — Попова Татьяна Ивановна.xlsx",
         config.folders["returned"] / "2А.xlsx", {DIARIES: [{**DIARY_ROW, "Полнота (0–5)": 9}]})
    folder = config.folders["review"]
    folder.mkdir(exist_ok=True)
    target = folder / f"{TEACHER} (исправить).xlsx"
    target.write_bytes(b"old copy")
    (folder / f".~lock.{target.name}#").write_text("x")
    result = CliRunner().invoke(cli, ["review", "-C", str(config.root), "--as-of", "25.11.2026"],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert target.read_bytes() == b"old copy"
    assert (folder / "2А (исправить).xlsx").is_file()
    assert f"{target.name}: копия НЕ записана (1А класс — Смирнова Ольга Викторовна). Файл " \
        "открыт в Excel или LibreOffice" in result.stderr
    assert "2А (исправить).xlsx: копия записана (2А класс — Попова Татьяна Ивановна); " \
        "ошибок 1, замечаний 0." in result.stdout


def test_the_school_folder_as_argument_means_its_returned_folder(config, returned):
    result = CliRunner().invoke(cli, ["review", str(config.root), "--as-of", "25.11.2026"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{TEACHER} (исправить).xlsx: копия записана")
    assert (config.folders["review"] / f"{TEACHER} (исправить).xlsx").is_file()


def test_copies_never_go_into_the_returned_folder(config, returned):
    result = CliRunner().invoke(cli, ["review", "-C", str(config.root), "-o",
                                      str(config.folders["returned"] / "копии")])
    assert result.exit_code == 2
    assert result.stderr.startswith("Ошибка. Файл «")
    assert "Копии на исправление нельзя записывать в папку сданных книг" in result.stderr
    assert not (config.folders["returned"] / "копии").exists()


def test_two_returns_of_one_name_get_two_copies(config, returned):
    # Another teacher's return under the same name, in a folder of its own.
    fill(config.folders["outgoing"] / "2А класс — Попова Татьяна Ивановна.xlsx",
         config.folders["returned"] / "ещё" / returned.name,
         {DIARIES: [{**DIARY_ROW, "Полнота (0–5)": 9}]})
    result = review(config, as_of=AS_OF, created=CREATED)
    copies = sorted(e.copy.name for e in result.entries if e.status == "written")
    assert copies == [f"{TEACHER} (исправить) 2.xlsx", f"{TEACHER} (исправить).xlsx"]


def test_cli_prints_a_line_per_copy_and_json(config, returned, generated):
    fill(config.folders["outgoing"] / "2А класс — Попова Татьяна Ивановна.xlsx",
         config.folders["returned"] / "2А.xlsx", {DIARIES: [DIARY_ROW]})
    runner = CliRunner()
    args = ["review", "-C", str(config.root), "--as-of", "25.11.2026"]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    folder = config.folders["review"]
    assert result.stdout.splitlines() == [
        f"{TEACHER} (исправить).xlsx: копия записана (1А класс — Смирнова Ольга Викторовна); "
        "ошибок 4, замечаний 1.",
        f"Копий на исправление: 1 в папке {folder}.",
        "Исправлять нечего (1): 2А класс — Попова Татьяна Ивановна.",
        f"Список для рассылки: {folder / SENDING_LIST}",
    ]
    data = json.loads(runner.invoke(cli, [*args, "--json"], catch_exceptions=False).stdout)
    assert data["summary"] == {"written": 1, "locked": 0, "done": 1, "refused": 0,
                               "replaced": 0}
    assert data["entries"][0] == {
        "file": f"сданные/{TEACHER}.xlsx", "status": "written",
        "respondent": "Смирнова Ольга Викторовна", "class": "1А", "role": "class_teacher",
        "errors": 4, "warnings": 1, "copy": str(folder / f"{TEACHER} (исправить).xlsx"),
        "reason": ""}


def test_settings_without_a_review_folder_still_load(workspace):
    config_file = workspace / "ibc-xls.toml"
    text = config_file.read_text(encoding="utf-8")
    assert 'review = "на исправление"' in text and (workspace / "на исправление").is_dir()
    config_file.write_text(text.replace('review = "на исправление"\n', ""), encoding="utf-8")
    assert load_config(workspace).folders["review"] == (workspace / "на исправление").resolve()


def test_the_sample_gets_copies_for_its_mistakes_also_from_ods(tmp_path):
    # The shipped sample (workbooks/сданные): four returns with mistakes, one of them .ods.
    root = tmp_path / "workbooks"
    shutil.copytree(REPO / "workbooks", root)
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    result = review(load_config(root), as_of=dt.date(2026, 4, 10), created=CREATED)
    written = {e.file: (e.copy.name, e.errors, e.warnings) for e in result.entries
               if e.status == "written"}
    assert written == {
        "сданные/11А.xlsx": ("11А (исправить).xlsx", 0, 2),
        "сданные/3А класс — Новикова Светлана Петровна.xlsx":
            ("3А класс — Новикова Светлана Петровна (исправить).xlsx", 2, 0),
        "сданные/8А класс — Богданова Надежда Ивановна.xlsx":
            ("8А класс — Богданова Надежда Ивановна (исправить).xlsx", 1, 0),
        "сданные/отчёт 7Б.ods": ("отчёт 7Б (исправить).xlsx", 1, 0),
    }
    assert result.count("done") == 9
    ws = openpyxl.load_workbook(root / "на исправление" / "отчёт 7Б (исправить).xlsx")[TEXTBOOKS]
    assert _fill_colour(ws["D6"]) == ERROR_FILL and (ws["D6"].value, ws["E6"].value) == (325, 352)
