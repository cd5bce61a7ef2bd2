"""What the terminal shows: file names that cannot fake a line or recolour the screen, and
Russian words for what the operating system refused, for logical values and for a workbook
without its main part."""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from fill import DIARY_ROW, FIRST, fill
from unprivileged import run_cli

from ibc_xls.blanks.generate import generate
from ibc_xls.cli import cli
from ibc_xls.forms.layout import HEADER_ROW
from ibc_xls.forms.tomlcheck import bad_value
from ibc_xls.problems import _OS_REASONS, os_reason

DIARIES = "Читательский дневник"
REPORT = "Сводный отчёт ИБЦ МОУ «СОШ №4» 2026-10.xlsx"
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


@pytest.fixture
def blanks(config):
    return {o.respondent.id: o.path for o in generate(config)}


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


# --- file names on the terminal (issue 9, point 9) ----------------------------------------------

NAMES = {"class_5А": "5А\x1b[31m.xlsx", "class_6Б": "6Б\rFAKE — принят.xlsx",
         "class_7А": "7А\nсданные/8А.xlsx — принят.xlsx", "class_9А": "9А\u202eslx.exe"}
SHOWN = {"class_5А": "сданные/5А\\x1b[31m.xlsx", "class_6Б": "сданные/6Б\\rFAKE — принят.xlsx",
         "class_7А": "сданные/7А\\nсданные/8А.xlsx — принят.xlsx",
         "class_9А": "сданные/9А\\u202eslx.exe"}


def test_control_characters_in_file_names_are_shown_not_obeyed(config, blanks):
    returned = config.folders["returned"]
    for rid, name in NAMES.items():
        fill(blanks[rid], returned / name, {DIARIES: [{**DIARY_ROW, "Полнота (0–5)": 9}]})
    result = invoke("validate", str(config.root))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("сданные/")] == sorted(
        f"{SHOWN[rid]} — есть ошибки (ошибок: 1)" for rid in NAMES)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", result.stdout)
    result = invoke("collect", str(config.root), "--period", "2026-10")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(config.folders["reports"] / REPORT, read_only=True)
    files = {c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
             if isinstance(c, str) and c.startswith("сданные/")}
    assert set(SHOWN.values()) <= files


@pytest.mark.skipif(sys.platform in ("win32", "darwin"),
                    reason="the file system takes only Unicode names")
def test_a_name_that_is_not_utf8_is_shown_by_its_bytes(config, blanks):
    returned = os.fsencode(config.folders["returned"])
    os.makedirs(returned, exist_ok=True)
    shutil.copyfile(fill(blanks["class_5А"], config.root / "5А.xlsx", {DIARIES: [DIARY_ROW]}),
                    returned + b"/5\xc0\xff.xlsx")
    result = invoke("validate", str(config.root))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "сданные/5\\xc0\\xff.xlsx — принята"
    assert invoke("collect", str(config.root), "--period", "2026-10").exit_code == 0


# --- the operating system's errors in Russian (issue 9, point 10) -------------------------------

def test_every_os_reason_is_russian_and_says_what_to_do():
    for code, texts in _OS_REASONS.items():
        for writing, text in enumerate(texts):
            reason = os_reason(OSError(code, os.strerror(code)), writing=bool(writing))
            assert reason == text
            assert not LATIN_WORD.search(text.replace("xl/workbook.xml", "")), text
    unknown = os_reason(OSError(errno.ESTALE, os.strerror(errno.ESTALE)), writing=True)
    assert unknown == "операционная система не разрешила запись (ошибка ESTALE)"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_a_full_disk():
    with pytest.raises(OSError) as exc, open("/dev/full", "wb", buffering=0) as full:
        full.write(b"x")
    assert exc.value.errno == errno.ENOSPC
    assert os_reason(exc.value, writing=True) == "на диске нет места: освободите место на диске"


@pytest.fixture
def school(config, blanks):
    fill(blanks["class_5А"], config.folders["returned"] / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    yield config
    for path in [config.root, *config.root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_folder_without_write_permission(school):
    reports = school.folders["reports"]
    reports.mkdir(exist_ok=True)
    reports.chmod(0o555)
    result = run_cli("collect", "--period", "2026-10", cwd=school.root)
    assert result.returncode == 2
    assert result.stderr == (
        f"Ошибка. Файл «{reports / REPORT}»: Файл не удалось записать: нет прав на запись: "
        "укажите другую папку или попросите администратора компьютера дать доступ. Прежний "
        "файл не изменён.\n")


def test_an_immutable_report_is_not_blamed_on_excel(school):
    report = school.folders["reports"] / REPORT
    report.parent.mkdir(exist_ok=True)
    report.write_bytes(b"previous report")
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", str(report)], capture_output=True, check=False).returncode:
        pytest.skip("chattr +i does not work here (needs root and a file system that has it)")
    try:
        result = invoke("collect", str(school.root), "--period", "2026-10")
    finally:
        subprocess.run(["chattr", "-i", str(report)], check=True)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Ошибка. Файл «{report}»: Файл не удалось записать: запись запрещена (файл или папка "
        "защищены от изменения): снимите защиту или укажите другой файл. Прежний файл не "
        "изменён.\n")
    assert report.read_bytes() == b"previous report"


# --- logical values and a workbook without its main part ----------------------------------------

def test_logical_values_are_shown_as_excel_shows_them(config, blanks):
    book = openpyxl.load_workbook(blanks["class_5А"])
    for ws in book.worksheets:
        if ws.sheet_state != "visible" or ws.title == "Инструкция":
            continue
        for cell in ws[HEADER_ROW + 1]:
            if cell.value:
                ws.cell(FIRST, cell.column).value = True
                ws.cell(FIRST + 1, cell.column).value = False
        ws.cell(HEADER_ROW + 1, ws.max_column + 1).value = True
    book.save(config.folders["returned"] / "5А.xlsx")
    result = invoke("validate", str(config.root))
    assert result.exit_code == 1
    assert "True" not in result.stdout and "False" not in result.stdout
    for message in ("«ИСТИНА» — не число", "«ЛОЖЬ» — не дата", "«ИСТИНА» не похоже на класс",
                    "«ЛОЖЬ» нет в списке", "Столбец «ИСТИНА» не из бланка"):
        assert message in result.stdout, message


def test_toml_values_are_shown_as_toml_writes_them():
    assert str(bad_value("ibc-xls.toml", "people.ibc_head", "string", True)) == (
        "Файл «ibc-xls.toml»: Ключ «people.ibc_head», указано «true»: ожидается строка.")
    assert str(bad_value("ibc-xls.toml", "forms.class", "strings", ["5А", False])) == (
        "Файл «ibc-xls.toml»: Ключ «forms.class», указано «[\"5А\", false]»: ожидается список "
        "непустых строк.")


def test_a_workbook_without_its_main_part_is_one_problem(config, blanks):
    broken = config.folders["returned"] / "5А.xlsx"
    broken.parent.mkdir(parents=True, exist_ok=True)
    filled = fill(blanks["class_5А"], config.root / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    with zipfile.ZipFile(filled) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            if item.filename != "xl/workbook.xml":
                target.writestr(item, source.read(item))
    result = invoke("validate", str(config.root))
    assert result.stdout.splitlines()[:2] == [
        "сданные/5А.xlsx — не принята (ошибок: 1)",
        "  ошибка: Книгу не удалось прочитать: книга повреждена: в ней нет списка листов "
        "(части xl/workbook.xml). Откройте её в Excel или LibreOffice; если откроется, "
        "сохраните как новую книгу .xlsx, если нет, попросите прислать её ещё раз."]


def test_a_problem_is_placed_by_row_and_column_never_by_a1_text():
    from ibc_xls.problems import Problem

    placed = Problem("too-long", file="a.xlsx", sheet="Лист", row=4, col=8)
    assert (placed.cell, placed.row, placed.col) == ("I5", 4, 8)
    assert placed.where() == "Файл «a.xlsx», лист «Лист», ячейка I5"
    with pytest.raises(TypeError):
        Problem("too-long", sheet="Лист", cell="I5")  # an A1 text alone would lose its row
    with pytest.raises(ValueError, match="both row and column"):
        Problem("too-long", sheet="Лист", row=4)
    with pytest.raises(ValueError, match="its sheet"):
        Problem("too-long", row=4, col=8)
    assert Problem("missing-sheet", sheet="Лист").cell == ""


def test_a_file_that_is_no_workbook_is_to_be_taken_out_of_the_returned_folder(config):
    (config.folders["returned"] / "письмо.txt").write_text("Добрый день! Отчёт во вложении.",
                                                          encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "-C", str(config.root)])
    assert result.exit_code == 1
    assert ("  ошибка: Это не книга Excel или LibreOffice, а текстовый файл. Уберите файл из "
            "папки «сданные» или попросите прислать вместо него книгу Excel (.xlsx).") \
        in result.output.splitlines()


# --- a message never fails to show -------------------------------------------------------------

def test_a_parameter_not_given_is_shown_as_an_ellipsis_not_raised():
    from ibc_xls.problems import IbcError, Problem

    # ``folder`` comes from in_folder(); a caller that forgets it still gets its message.
    problem = Problem("file-not-workbook", file="письмо.xlsx", params={"what": "текстовый файл"})
    assert problem.message == (
        "Это не книга Excel или LibreOffice, а текстовый файл. Уберите файл из папки «…» или "
        "попросите прислать вместо него книгу Excel (.xlsx).")
    assert str(IbcError(problem)).startswith("Файл «письмо.xlsx»: Это не книга Excel")


def test_a_variant_not_named_or_unknown_is_shown_as_an_ellipsis():
    from ibc_xls.problems import Problem

    ending = (". Паспорт (скрытый лист «Паспорт» и свойства документа) изменён, поэтому книга "
              "не засчитана никому.")
    for params in ({}, {"why": "no-such-variant"}, {"why": "class"}):
        message = Problem("identity-mismatch", params=params).message
        assert message.split(ending)[0] == {
            "class": "Паспорт бланка не сходится: код респондента «…», а класс «…»",
        }.get(params.get("why"), "Паспорт бланка не сходится: …")


def test_a_parameter_of_the_wrong_type_is_shown_as_it_is():
    from ibc_xls.problems import Problem

    # {size:.0f} given a text: shown as the text, not a ValueError.
    problem = Problem("file-too-large", params={"why": "file-size", "size": "много",
                                                "limit": 50.0})
    assert problem.message.startswith(
        "Книгу нельзя прочитать безопасно: файл занимает много МБ, допустимо не больше 50 МБ.")


def test_every_code_and_variant_can_be_shown_without_any_parameter():
    from ibc_xls.problems import CATALOGUE, Problem

    for code, kind in CATALOGUE.items():
        for why in [None, *kind.variants]:
            params = {} if why is None else {"why": why}
            for given in (params, {**params, "rule_message": "Своё сообщение."}):
                message = Problem(code, params=given).message
                assert message.endswith("."), (code, why, message)
