"""``ibc-xls rollup``: the office's summary of its schools' reports, read back."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from click.testing import CliRunner
from openpyxl.utils import get_column_letter, range_boundaries

from ibc_xls.cli import cli
from ibc_xls.rollup.office import OFFICE_CONFIG_NAME

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "workbooks" / "управление"
APRIL = ("Отчёт ИБЦ СОШ 4 апрель 2026.xlsx", "гимназия 1 - отчет.xlsx",
         "Сводный отчёт ИБЦ МОУ «Лицей №7» 2026-04.xlsx")


@pytest.fixture
def office(tmp_path: Path) -> Path:
    folder = tmp_path / "управление"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("сводки"))
    return folder


def run(*args: str):
    return CliRunner().invoke(cli, ["rollup", *args], catch_exceptions=False)


def rows(path: Path, sheet: str) -> list[list]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(sheet).to_python()


def table(path: Path, sheet: str, name: str) -> list[list]:
    """A named table's rows (header first) as openpyxl sees its range."""
    ws = openpyxl.load_workbook(path)[sheet]
    ref = ws.tables[name].ref
    return [[c.value for c in row] for row in ws[ref]]


def title_figures(path: Path) -> dict[str, object]:
    """A school report's own key figures, as its title sheet shows them."""
    found = {}
    for row in table(path, "Титульный лист", "tbl_key_figures")[1:]:
        found[row[0]] = row[1]
    return found


def test_sample_rolls_up_and_reconciles(office: Path, tmp_path: Path) -> None:
    out = tmp_path / "сводка.xlsx"
    result = run(str(office), "-o", str(out))
    assert result.exit_code == 0
    assert result.output.splitlines()[:5] == [
        "Период: отчёт за апрель 2026.",
        "Файлов в папке: 5; отчёты сдали 3 из 4 школ; учтено в итогах: 3.",
        "Не сдали отчёт (1): МОУ «СОШ №12».",
        "Не учтено в сводке файлов: 2:",
        "  полученные/Гимназия1_2025-10.xlsx — другой период",
    ]
    assert result.output.splitlines()[-1] == f"Сводка записана: {out}"
    # Every summed figure equals the sum of the schools' own title-sheet figures.
    schools = [title_figures(office / "полученные" / name) for name in APRIL]
    figures = {r[0]: r for r in table(out, "Титульный лист", "tbl_key_figures")[1:]}
    assert figures["Школ в списке управления"][1] == 4
    assert figures["Школ сдали отчёт"][1] == 3
    summed = [label for label in schools[0] if isinstance(schools[0][label], int | float)]
    assert "Участников конкурса «Учиться читать»" in summed
    for label in summed:
        assert figures[label][1] == sum(s[label] for s in schools), label
        assert figures[label][2] == 3
    assert "Лучший класс по сохранности учебников" not in figures  # a text is not summed
    by_school = table(out, "Показатели по школам", "tbl_school_figures")
    assert [r[0] for r in by_school[1:]] == ["МОУ «СОШ №4»", "МОУ «Гимназия №1»",
                                             "МОУ «Лицей №7»"]


def test_summary_tables_charts_and_print(office: Path, tmp_path: Path) -> None:
    out = tmp_path / "сводка.xlsx"
    assert run(str(office), "-o", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    tables = {name for ws in book.worksheets for name in ws.tables}
    assert {"tbl_key_figures", "tbl_school_figures", "tbl_roadmap_stages_by_school",
            "tbl_reading_contest_by_school", "tbl_textbooks_ranking_schools",
            "tbl_diaries_top_schools", "tbl_meeting_topics_by_school", "tbl_courses_by_school",
            "tbl_reports", "tbl_files", "tbl_data_diaries"} <= tables
    for ws in book.worksheets:
        if ws.sheet_state == "visible":
            assert ws.page_setup.paperSize == 9, ws.title
    assert len(book["Итоги по этапам"]._charts) == 1
    assert len(book["Учиться читать"]._charts) == 1
    stages = table(out, "Итоги по этапам", "tbl_roadmap_stages_by_school")
    assert stages[0] == ["Школа", "Не начато", "В работе", "Выполнено", "Перенесено",
                         "Не выполняется", "Нет сведений", "Всего", "Просрочено"]
    # The lyceum sent no roadmap: its 15 measure parts are «Нет сведений».
    assert stages[3][0] == "МОУ «Лицей №7»" and stages[3][6] == 15
    reports = table(out, "Сдача отчётов", "tbl_reports")
    assert [(r[0], r[-1]) for r in reports[1:]] == [
        ("МОУ «СОШ №4»", "учтён"), ("МОУ «Гимназия №1»", "учтён"),
        ("МОУ «Лицей №7»", "учтён"), ("МОУ «СОШ №12»", "не сдан")]
    diaries = table(out, "Данные — Читательский дневник", "tbl_data_diaries")
    assert diaries[0][0] == "Школа"
    assert {r[0] for r in diaries[1:]} == {"МОУ «СОШ №4»", "МОУ «Гимназия №1»", "МОУ «Лицей №7»"}
    ranking = table(out, "Сохранность учебников", "tbl_textbooks_ranking_schools")
    assert ranking[0][:4] == ["Место", "Школа", "Класс", "Место в школе"]
    averages = [r[ranking[0].index("Средний балл")] for r in ranking[1:]]
    assert averages == sorted(averages, reverse=True)


def chart_refs(ws) -> list[tuple[str, str, str]]:
    """Each series of each chart of a sheet read back: (name, categories, values) references."""
    found = []
    for chart in ws._charts:
        for series in chart.series:
            categories = series.cat.multiLvlStrRef or series.cat.strRef or series.cat.numRef
            found.append((series.tx.strRef.f, categories.f, series.val.numRef.f))
    return found


def test_rankings_across_schools_have_charts(office: Path, tmp_path: Path) -> None:
    out = tmp_path / "сводка.xlsx"
    assert run(str(office), "-o", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    # The best classes at preserving textbooks: the average score of the first places, each
    # bar named by its school and class.
    ws = book["Сохранность учебников"]
    ranking = table(out, ws.title, "tbl_textbooks_ranking_schools")
    top = range_boundaries(ws.tables["tbl_textbooks_ranking_schools"].ref)[1]
    assert ranking[0][:4] == ["Место", "Школа", "Класс", "Место в школе"]
    average = ranking[0].index("Средний балл")
    shown = min(len(ranking) - 1, 20)
    assert shown > 3
    sheet = "'Сохранность учебников'"
    assert chart_refs(ws) == [(
        f"{sheet}!${get_column_letter(average + 1)}${top}",
        f"{sheet}!$B${top + 1}:$C${top + shown}",
        f"{sheet}!${get_column_letter(average + 1)}${top + 1}:"
        f"${get_column_letter(average + 1)}${top + shown}")]
    # The best reader's diaries: one chart per grade band, its rows' sums of scores, each bar
    # named by its school and pupil.
    ws = book["Читательские дневники"]
    diaries = table(out, ws.title, "tbl_diaries_top_schools")
    top = range_boundaries(ws.tables["tbl_diaries_top_schools"].ref)[1]
    assert diaries[0][:4] == ["Группа классов", "Место", "Школа", "ФИО ученика"]
    total = diaries[0].index("Сумма баллов")
    bands = list(dict.fromkeys(r[0] for r in diaries[1:]))
    assert len(bands) > 1
    sheet = "'Читательские дневники'"
    expected = []
    for band in bands:
        first = next(i for i, r in enumerate(diaries) if r[0] == band)
        last = max(i for i, r in enumerate(diaries) if r[0] == band)
        column = get_column_letter(total + 1)
        expected.append((f"{sheet}!${column}${top}",
                         f"{sheet}!$C${top + first}:$D${top + last}",
                         f"{sheet}!${column}${top + first}:${column}${top + last}"))
    assert chart_refs(ws) == expected
    assert [c.title.tx.rich.p[0].r[0].t for c in ws._charts] == [
        f"{band}: все школы" for band in bands]


def test_all_periods_progress(office: Path, tmp_path: Path) -> None:
    out = tmp_path / "сводка.xlsx"
    result = run(str(office), "-o", str(out), "--all-periods")
    assert result.exit_code == 0
    assert "Не учтено в сводке" not in result.output
    book = openpyxl.load_workbook(out)
    sheet = "Динамика — Читательских дневник"
    assert sheet in book.sheetnames
    assert len(book[sheet]._charts) == 1
    ws = book[sheet]
    name = next(iter(ws.tables))
    grid = table(out, sheet, name)
    assert grid[0] == ["Школа", "2025-10", "2026-04"]
    label = "Читательских дневников на конкурсе"
    october = title_figures(office / "полученные" / "СОШ4 октябрь 2025.xlsx")[label]
    april = title_figures(office / "полученные" / APRIL[0])[label]
    assert grid[1] == ["МОУ «СОШ №4»", october, april]
    assert grid[3] == ["МОУ «Лицей №7»", None, title_figures(
        office / "полученные" / APRIL[2])[label]]


def test_period_option_picks_older_reports(office: Path, tmp_path: Path) -> None:
    out = tmp_path / "сводка.xlsx"
    result = run(str(office), "-o", str(out), "--period", "2025-10")
    assert result.exit_code == 0
    assert "Файлов в папке: 5; отчёты сдали 2 из 4 школ; учтено в итогах: 2." in result.output
    assert "Это отчёт за апрель 2026, а сводка собирается за период 2025-10" in result.output


def test_refused_files_with_reasons(office: Path, tmp_path: Path) -> None:
    received = office / "полученные"
    (received / "письмо.txt").write_text("Добрый день! Отчёт во вложении.", encoding="utf-8")
    blank = next((REPO / "workbooks" / "сданные").glob("11А.xlsx"))
    shutil.copy(blank, received / "11А.xlsx")
    settings = office / OFFICE_CONFIG_NAME
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace('short = "МОУ «Лицей №7»"', 'short = "МОУ «Лицей №8»"'),
                        encoding="utf-8")
    out = tmp_path / "сводка.xlsx"
    result = run(str(office), "-o", str(out), "--strict")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert ("  ошибка: Файл «полученные/11А.xlsx»: Это не отчёт школы, собранный ibc-xls: это "
            "книга, которую заполняют в школе (бланк), а не отчёт школы. Уберите файл из папки "
            "полученных отчётов или попросите школу прислать отчёт (его делает ibc-xls "
            "collect).") in lines
    assert ("  ошибка: Файл «полученные/Сводный отчёт ИБЦ МОУ «Лицей №7» 2026-04.xlsx»: Школы "
            "«МОУ «Лицей №7»» нет в списке школ управления (ibc-xls-office.toml), поэтому отчёт "
            "не учтён. Если это ваша школа, добавьте её в файл настроек блоком [[schools]] с "
            "short = \"МОУ «Лицей №7»\".") in lines
    # The file is to be taken out of the folder it was read from, the office's.
    assert ("  ошибка: Файл «полученные/письмо.txt»: Это не книга Excel или LibreOffice, а "
            "текстовый файл. Уберите файл из папки «полученные» или попросите прислать вместо "
            "него книгу Excel (.xlsx).") in lines
    files = {r[0]: r[4] for r in table(out, "Файлы", "tbl_files")[1:]}
    assert files["полученные/письмо.txt"] == "не отчёт или не читается"
    assert files["полученные/Сводный отчёт ИБЦ МОУ «Лицей №7» 2026-04.xlsx"] == \
        "школы нет в списке"


def test_later_report_replaces_earlier(office: Path, tmp_path: Path) -> None:
    received = office / "полученные"
    earlier = received / APRIL[1]
    book = openpyxl.load_workbook(earlier)
    passport = book["Паспорт"]
    for row in passport.iter_rows():
        if row[0].value == "created":
            row[2].value = "2020-01-01T00:00:00"  # made long before the other copy
    book.save(received / "гимназия черновик.xlsx")
    out = tmp_path / "сводка.xlsx"
    result = run(str(office), "-o", str(out))
    assert result.exit_code == 0
    assert ("  замечание: Файл «полученные/гимназия черновик.xlsx»: От школы «МОУ «Гимназия №1»» "
            "за этот период есть отчёт, собранный позже: «полученные/гимназия 1 - отчет.xlsx»; "
            "учтён он, а этот нет. Если учесть нужно этот отчёт, уберите другой из папки "
            "полученных.") in result.output.splitlines()


def test_hand_edited_report_is_flagged_not_summed(office: Path, tmp_path: Path) -> None:
    path = office / "полученные" / APRIL[1]
    book = openpyxl.load_workbook(path)
    ws = book["Титульный лист"]
    cell = next(row[1] for row in ws.iter_rows()
                if row[0].value == "Участников конкурса «Учиться читать»")
    cell.value = cell.value + 5
    book.save(path)
    out = tmp_path / "сводка.xlsx"
    result = run(str(office), "-o", str(out), "--strict")
    assert result.exit_code == 1
    assert (f"  ошибка: Файл «полученные/{APRIL[1]}», лист «Титульный лист», ячейка "
            f"{cell.coordinate}: Показатель «Участников конкурса «Учиться читать»» равен "
            f"{cell.value}, а по таблице «tbl_data_reading_contest» того же отчёта выходит "
            f"{cell.value - 5}: отчёт изменён вручную. Цифры школы не вошли в итоги сводки; "
            "попросите школу собрать отчёт заново (ibc-xls collect).") in result.output
    figures = {r[0]: r for r in table(out, "Титульный лист", "tbl_key_figures")[1:]}
    others = [title_figures(office / "полученные" / n) for n in (APRIL[0], APRIL[2])]
    label = "Участников конкурса «Учиться читать»"
    assert figures[label][1:3] == [sum(s[label] for s in others), 2]
    assert figures["Отчётов не учтено в итогах"][1] == 1
    flagged = table(out, "Показатели по школам", "tbl_school_figures")
    assert flagged[2][0] == "МОУ «Гимназия №1»" and flagged[2][-1] == "нет"


def test_other_format_version_refused(office: Path, tmp_path: Path) -> None:
    path = office / "полученные" / APRIL[2]
    book = openpyxl.load_workbook(path)
    for row in book["Паспорт"].iter_rows():
        if row[0].value == "format":
            row[2].value = "99"
    book.save(path)
    result = run(str(office), "-o", str(tmp_path / "s.xlsx"))
    assert (f"  ошибка: Файл «полученные/{APRIL[2]}»: Отчёт записан в версии формата 99, а эта "
            "версия ibc-xls читает версию 1. Попросите школу собрать отчёт заново (ibc-xls "
            "collect) версией ibc-xls, как у управления, или обновите ibc-xls."
            ) in result.output.splitlines()


def test_init_office_and_missing_settings(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["init", "--office", str(tmp_path / "уо")])
    assert result.exit_code == 0
    assert (tmp_path / "уо" / OFFICE_CONFIG_NAME).is_file()
    assert (tmp_path / "уо" / "полученные").is_dir() and (tmp_path / "уо" / "сводки").is_dir()
    text = (tmp_path / "уо" / OFFICE_CONFIG_NAME).read_text(encoding="utf-8")
    assert "# Чтобы добавить школу, скопируйте три строки блока [[schools]]" in text
    empty = runner.invoke(cli, ["rollup", str(tmp_path / "уо")])
    assert empty.exit_code == 0
    assert "Не сдали отчёт (2): МОУ «СОШ №4»; МОУ «Гимназия №1»." in empty.output
    missing = runner.invoke(cli, ["rollup", str(tmp_path)])
    assert missing.exit_code == 2
    assert missing.stderr == (
        f"Ошибка. Файл «{tmp_path / OFFICE_CONFIG_NAME}»: Файл настроек управления не найден. "
        "Создайте рабочую папку управления командой «ibc-xls init --office ПАПКА» или "
        "укажите путь к ней.\n")


@pytest.mark.libreoffice
def test_report_resaved_by_libreoffice(office: Path, tmp_path: Path) -> None:
    from libreoffice import XLSX, convert

    received = office / "полученные"
    original = received / APRIL[0]
    before = tmp_path / "до.xlsx"
    assert run(str(office), "-o", str(before)).exit_code == 0
    work = tmp_path / "lo"
    shutil.move(original, tmp_path / "src.xlsx")
    converted = convert([tmp_path / "src.xlsx"], XLSX, work)[0]
    shutil.copy(converted, received / "сош4 пересохранён.xlsx")
    after = tmp_path / "после.xlsx"
    result = run(str(office), "-o", str(after), "--strict")
    assert result.exit_code == 0, result.output
    assert table(after, "Титульный лист", "tbl_key_figures") == \
        table(before, "Титульный лист", "tbl_key_figures")


def test_the_reader_of_reports_does_not_load_pandas() -> None:
    # Every reader process (and the fork server they start from) imports the reader's module:
    # pandas would add some 50 MiB to each of them.
    code = ("import sys, ibc_xls.rollup.readreport; "
            "print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    assert found.stdout == "[]\n"


def test_file_names_with_control_characters_are_shown_not_obeyed(office: Path,
                                                                  tmp_path: Path) -> None:
    received = office / "полученные"
    (received / "письмо\x1b[31m\rпринят.txt").write_text("не отчёт", encoding="utf-8")
    result = run(str(office), "-o", str(tmp_path / "сводка.xlsx"))
    assert result.exit_code == 0
    assert "\x1b" not in result.output and "\r" not in result.output
    assert "полученные/письмо\\x1b[31m\\rпринят.txt" in result.output


def test_the_office_sample_is_what_its_script_makes(tmp_path: Path) -> None:
    """``scripts/make_office_sample.py`` still runs, and the reports it makes now show the
    figures of the reports shipped in the sample (made by an older run of it)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_office_sample", REPO / "scripts" / "make_office_sample.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    made = tmp_path / "управление"
    script.main(made)
    names = sorted(p.name for p in (made / "полученные").iterdir())
    assert names == sorted(p.name for p in (SAMPLE / "полученные").iterdir())
    assert (made / OFFICE_CONFIG_NAME).read_text(encoding="utf-8") == \
        (SAMPLE / OFFICE_CONFIG_NAME).read_text(encoding="utf-8")
    for name in names:
        assert title_figures(made / "полученные" / name) == \
            title_figures(SAMPLE / "полученные" / name), name


# --- the temporary file that holds the reports' rows ------------------------------------------

def stash_not_written(folder: object, reason: str) -> str:
    return (f"Не удалось записать временный файл в папку «{folder}»: {reason}. Команда "
            "остановлена: ничего не записано, файлы не изменены. Временную папку можно сменить "
            "переменной окружения TMPDIR.")


def test_a_temporary_folder_that_cannot_be_written_is_a_russian_error(
        office: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    # A folder under a regular file: no one, root included, can make a file in it.
    (tmp_path / "файл").write_text("не папка", encoding="utf-8")
    blocked = tmp_path / "файл" / "временные"
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    out = tmp_path / "сводка.xlsx"
    result = CliRunner().invoke(cli, ["rollup", str(office), "-o", str(out)])
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert result.exit_code == 2
    assert result.stderr == "Ошибка. " + stash_not_written(
        blocked, "на месте папки лежит файл с тем же именем: переименуйте его или укажите "
        "другую папку") + "\n"
    assert not out.exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_under_the_temporary_file_is_a_russian_error() -> None:
    from ibc_xls.problems import IbcError
    from ibc_xls.rollup.readreport import ReportRead, Stash

    report = ReportRead(file="полученные/сош4.xlsx", identity={}, packed=b"rows" * 1000)
    # /dev/full: every write fails as on a full disk (ENOSPC).
    with open("/dev/full", "r+b", buffering=0) as full, pytest.raises(IbcError) as caught:
        Stash(full, "/dev").put(report)
    assert str(caught.value) == stash_not_written(
        "/dev", "на диске нет места: освободите место на диске")
    assert report.packed and report.stashed is None  # nothing pretends to be stashed


@pytest.mark.skipif(sys.platform == "win32", reason="a symbolic link needs a privilege there")
def test_a_file_the_file_system_refuses_is_listed_as_refused(office: Path, tmp_path: Path) -> None:
    # A link that points to itself: opening it fails for everyone, root included (ELOOP).
    (office / "полученные" / "петля.xlsx").symlink_to("петля.xlsx")
    out = tmp_path / "сводка.xlsx"
    result = CliRunner().invoke(cli, ["rollup", str(office), "-o", str(out)])
    assert result.exit_code == 0, result.output
    files = {r[0]: r[4:] for r in table(out, "Файлы", "tbl_files")[1:]}
    assert files["полученные/петля.xlsx"] == [
        "не отчёт или не читается", "Файл не удалось прочитать: ссылки на файл ведут по кругу. "
        "Книга не проверена; когда причина устранена, запустите команду снова."]


def test_bad_office_settings_say_what_is_wrong(tmp_path: Path) -> None:
    folder = tmp_path / "уо"
    folder.mkdir()
    settings = folder / OFFICE_CONFIG_NAME
    settings.write_text('schools = ["МОУ «СОШ №4»"]\n[office]\nname = "Управление"\n'
                        '[folders]\nreceived = "отчёты"\nsummaries = "отчёты"\n',
                        encoding="utf-8")
    result = CliRunner().invoke(cli, ["rollup", str(folder)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Ошибка. Файл «{settings}»: Ключ «folders.summaries», указано «отчёты»: папка сводок "
        "должна отличаться от папки полученных отчётов.",
        f"Ошибка. Файл «{settings}»: Ключ «schools[1]», указано «МОУ «СОШ №4»»: ожидается "
        "таблица [[schools]]."]
