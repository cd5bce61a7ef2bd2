"""Which folder ``validate`` and ``collect`` read, and what they refuse to write over: one way
to name a folder, only returns read as returns, no input replaced by a report, no folder
that cannot be read taken for an empty one, no temporary file left for good."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from fill import DIARY_ROW, fill
from unprivileged import run_cli

from ibc_xls.blanks.generate import generate
from ibc_xls.cli import cli

DIARIES = "Читательский дневник"
AS_OF = "25.11.2026"
REPORT = "Сводный отчёт ИБЦ МОУ «СОШ №4» 2026-10.xlsx"
LISTING = ["сданные/5А.xlsx — принята",
           "сданные/6Б.xlsx — есть ошибки (ошибок: 1)",
           "  ошибка: лист «Читательский дневник», ячейка E5: Число 9 вне допустимых пределов: "
           "от 0 до 5. Проверьте значение.",
           "Итого: книг 2, принято 1, с ошибками 1, не принято 0; ошибок 1, замечаний 0. "
           "Отчётная дата: 25.11.2026."]
SUMMARY = ("Книг получено: 2, от 2 из 21 респондентов; принято: 1, с ошибками: 1, "
           "не принято: 0.")


def invoke(*args: str, cwd: Path | None = None):
    """The command as typed in ``cwd``, judged as of the tests' reporting date."""
    args = (*args, "--as-of", AS_OF) if args[0] in ("validate", "collect", "review") else args
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(old)


@pytest.fixture
def school(config):
    """A working folder with its blanks, templates, a previous report and two returns."""
    blanks = {o.respondent.id: o.path for o in generate(config)}
    returned = config.folders["returned"]
    fill(blanks["class_5А"], returned / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    fill(blanks["class_6Б"], returned / "6Б.xlsx",
         {DIARIES: [{**DIARY_ROW, "Полнота (0–5)": 9}]})
    reports = config.folders["reports"]
    shutil.copyfile(blanks["class_7А"], reports / "Сводный отчёт ИБЦ 2026-04.xlsx")
    return config


# --- one way to name a folder (issue 8, point 6) ------------------------------------------------

@pytest.mark.parametrize("named", ["школа", "школа/сданные", "школа/сданные/"])
def test_validate_takes_the_school_folder_or_its_returned_folder(school, named):
    result = invoke("validate", named, cwd=school.root.parent)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == LISTING


@pytest.mark.parametrize("named", ["школа", "школа/сданные", "школа/сданные/6Б.xlsx"])
def test_review_takes_the_same_arguments(school, named):
    result = invoke("review", named, cwd=school.root.parent)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("6Б")
    assert (school.folders["review"] / "Список на исправление.xlsx").is_file()


@pytest.mark.parametrize("named", ["школа", "школа/сданные"])
def test_collect_takes_the_school_folder_or_its_returned_folder(school, named):
    result = invoke("collect", named, "--period", "2026-10", cwd=school.root.parent)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == SUMMARY
    assert (school.folders["reports"] / REPORT).is_file()


def test_the_command_collect_suggests_runs_where_it_was_suggested(school):
    result = invoke("collect", "школа", "--period", "2026-10", cwd=school.root.parent)
    assert result.stdout.splitlines()[2] == (
        "Ошибок: 1, замечаний: 0 — список на листе «Ошибки и замечания» отчёта; подробно: "
        "ibc-xls validate школа.")
    again = invoke("validate", "школа", cwd=school.root.parent)
    assert again.stdout.splitlines() == LISTING


@pytest.mark.parametrize(("where", "args"), [
    ("школа", ["."]), ("школа", []), ("школа/сданные", []), ("школа/сданные", ["."]),
    ("школа/бланки", [".."])])
def test_inside_the_school_only_the_returns_are_read(school, where, args):
    # The blanks, the templates, the settings and the previous report lie in the same tree.
    result = invoke("validate", *args, cwd=school.root.parent / where)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == LISTING


def test_a_folder_around_the_school_skips_its_blanks_templates_and_reports(school):
    result = invoke("validate", str(school.root.parent), "-C", str(school.root))
    assert result.stdout.splitlines() == LISTING


def test_files_may_be_named_one_by_one(school):
    result = invoke("validate", "сданные/6Б.xlsx", cwd=school.root)
    assert result.stdout.splitlines() == [
        *LISTING[1:3],
        "Итого: книг 1, принято 0, с ошибками 1, не принято 0; ошибок 1, замечаний 0. "
        "Отчётная дата: 25.11.2026."]


@pytest.mark.parametrize(("named", "what"), [
    ("ibc-xls.toml", "настройки школы"), ("шаблоны", "шаблоны форм"),
    ("шаблоны/06_diaries.toml", "шаблоны форм"), ("бланки", "бланки для рассылки"),
    ("бланки/5А класс — Васильева Анна Андреевна.xlsx", "бланки для рассылки"),
    ("отчёты", "отчёты")])
@pytest.mark.parametrize("command", ["validate", "collect", "review"])
def test_settings_templates_blanks_and_reports_are_never_returns(school, named, what, command):
    result = invoke(command, named, cwd=school.root)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Ошибка. Файл «{named}»: Здесь не сданные книги, а {what}: проверяются только книги "
        "из папки «сданные». Укажите рабочую папку школы, папку «сданные» или файлы в ней.\n")
    assert not (school.folders["reports"] / REPORT).exists()


@pytest.mark.parametrize("command", ["validate", "collect"])
def test_missing_settings_name_the_folders_where_they_were_looked_for(tmp_path, command):
    folder = tmp_path / "сданные" / "5А"
    folder.mkdir(parents=True)
    result = invoke(command, str(folder))
    assert result.exit_code == 2
    looked = [folder, folder.parent, tmp_path, *tmp_path.parents]
    assert result.stderr == (
        "Ошибка. Файл настроек не найден; ibc-xls.toml искали в папках: "
        + ", ".join(f"«{f}»" for f in looked) + ". Укажите рабочую папку школы (где лежит "
        "ibc-xls.toml) или создайте её командой «ibc-xls init ПАПКА».\n")


def test_an_explicit_settings_folder_is_not_searched_above(school):
    result = invoke("validate", "-C", str(school.folders["returned"]))
    assert result.exit_code == 2
    assert f"ibc-xls.toml искали в папках: «{school.folders['returned']}». " in result.stderr


# --- collect -o onto an input (issue 9, point 1) ------------------------------------------------

@pytest.mark.parametrize(("output", "what"), [
    ("сданные/5А.xlsx", "сданные книги"), ("сданные/новый.xlsx", "сданные книги"),
    ("ibc-xls.toml", "настройки школы"), ("шаблоны/06_diaries.toml", "шаблоны форм"),
    ("бланки/5А класс — Васильева Анна Андреевна.xlsx", "бланки для рассылки")])
def test_collect_refuses_to_write_over_an_input(school, output, what):
    before = {p: p.read_bytes() for p in school.root.rglob("*") if p.is_file()}
    result = invoke("collect", "--period", "2026-10", "-o", output, cwd=school.root)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"Ошибка. Файл «{output}»: Отчёт нельзя записать в этот файл: здесь {what}, отчёт "
        "заменил бы их. Укажите другой файл, например в папке «отчёты»; ничего не записано.\n")
    assert {p: p.read_bytes() for p in school.root.rglob("*") if p.is_file()} == before


def test_collect_refuses_an_output_inside_a_folder_it_reads(school, tmp_path):
    other = tmp_path / "архив"
    shutil.copytree(school.folders["returned"], other)
    result = invoke("collect", str(other), "-C", str(school.root), "--period", "2026-10",
                    "-o", str(other / "отчёт.xlsx"))
    assert result.exit_code == 2
    assert "здесь сданные книги, отчёт заменил бы их" in result.stderr
    assert not (other / "отчёт.xlsx").exists()


# --- folders and files that cannot be read (issue 9, point 2) -----------------------------------

@pytest.fixture
def shared_school(school):
    """The school, for a command that permissions bind; the modes are restored after."""
    if sys.platform == "win32":
        pytest.skip("permissions are POSIX modes here")
    if os.geteuid() == 0 and not sys.platform.startswith("linux"):
        pytest.skip("as root, only Linux lets a child process give up reading everything")
    yield school.root
    for path in [school.root, *school.root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def previous_report(root: Path) -> Path:
    report = root / "отчёты" / REPORT
    report.write_bytes(b"the previous good report")
    return report


def test_an_unreadable_returned_folder_is_an_error_not_an_empty_folder(shared_school):
    report = previous_report(shared_school)
    returned = shared_school / "сданные"
    returned.chmod(0)
    for command in (["collect", "--period", "2026-10"], ["validate"]):
        result = run_cli(*command, cwd=shared_school)
        assert result.returncode == 2, result.stdout
        assert result.stdout == ""
        assert result.stderr == (
            f"Ошибка. Папку «{returned}» не удалось прочитать: нет прав на чтение: попросите "
            "администратора компьютера дать доступ. Книги из неё не проверены, поэтому отчёт не "
            "пишется. Исправьте доступ к папке и запустите команду снова.\n")
    assert report.read_bytes() == b"the previous good report"


def test_an_unreadable_subfolder_is_named_and_keeps_the_report(shared_school):
    report = previous_report(shared_school)
    hidden = shared_school / "сданные" / "5Б"
    hidden.mkdir()
    shutil.copyfile(shared_school / "сданные" / "5А.xlsx", hidden / "5Б.xlsx")
    hidden.chmod(0)
    result = run_cli("validate", cwd=shared_school)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[1:3] == [
        "сданные/5Б — не принята (ошибок: 1)",
        "  ошибка: Папку «сданные/5Б» не удалось прочитать: нет прав на чтение: попросите "
        "администратора компьютера дать доступ. Книги из неё не проверены, поэтому отчёт не "
        "пишется. Исправьте доступ к папке и запустите команду снова."]
    result = run_cli("collect", "--period", "2026-10", cwd=shared_school)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"Ошибка. Файл «{report}»: Отчёт не записан, прежний отчёт не изменён: книги, "
        "названные выше, не удалось прочитать. Исправьте доступ к ним и запустите команду "
        "снова.")
    assert "Папку «сданные/5Б» не удалось прочитать" in result.stderr
    assert report.read_bytes() == b"the previous good report"


def test_an_unreadable_file_is_named_and_keeps_the_report(shared_school):
    report = previous_report(shared_school)
    (shared_school / "сданные" / "6Б.xlsx").chmod(0)
    result = run_cli("collect", "--period", "2026-10", cwd=shared_school)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "Ошибка. Файл «сданные/6Б.xlsx»: Файл открыт в другой программе или к нему нет "
        "доступа. Закройте файл в Excel и запустите снова.")
    assert report.read_bytes() == b"the previous good report"


@pytest.mark.skipif(sys.platform == "win32", reason="a symbolic link needs a privilege there")
def test_a_file_the_file_system_refuses_is_named_and_keeps_the_report(school):
    report = previous_report(school.root)
    # A link that points to itself: opening it fails for everyone, root included (ELOOP).
    (school.folders["returned"] / "5В.xlsx").symlink_to("5В.xlsx")
    refused = ("Файл не удалось прочитать: ссылки на файл ведут по кругу. Книга не проверена; "
               "когда причина устранена, запустите команду снова.")
    result = invoke("validate", cwd=school.root)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1:3] == ["сданные/5В.xlsx — не принята (ошибок: 1)",
                                               f"  ошибка: {refused}"]
    result = invoke("collect", "--period", "2026-10", cwd=school.root)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"Ошибка. Файл «сданные/5В.xlsx»: {refused}",
        f"Ошибка. Файл «{report}»: Отчёт не записан, прежний отчёт не изменён: книги, названные "
        "выше, не удалось прочитать. Исправьте доступ к ним и запустите команду снова."]
    assert report.read_bytes() == b"the previous good report"


def test_a_folder_one_may_list_but_not_enter_hides_no_file(shared_school):
    returned = shared_school / "сданные"
    returned.chmod(0o444)  # names readable, files not reachable
    result = run_cli("validate", "--as-of", AS_OF, cwd=shared_school)
    assert result.returncode == 1
    assert [line for line in result.stdout.splitlines() if not line.startswith(" ")] == [
        "сданные/5А.xlsx — не принята (ошибок: 1)", "сданные/6Б.xlsx — не принята (ошибок: 1)",
        "Итого: книг 2, принято 0, с ошибками 0, не принято 2; ошибок 2, замечаний 0. "
        "Отчётная дата: 25.11.2026."]


# --- temporary files of a killed run (issue 9, point 3) -----------------------------------------

WRITER = """
import sys, time
from pathlib import Path
from ibc_xls.output import write_atomic

def write(f):
    f.write(b"half a report")
    f.flush()
    print("writing", flush=True)
    time.sleep(600)

write_atomic(Path(sys.argv[1]), write)
"""


def start_writer(target: Path) -> subprocess.Popen:
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target)],
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline() == "writing\n"
    return writer


def stop(writer: subprocess.Popen) -> None:
    writer.kill()
    writer.wait()
    writer.stdout.close()


def temporaries(folder: Path) -> list[Path]:
    return sorted(folder.glob(".~ibc-xls-*"))


def test_temporary_files_of_a_killed_collect_are_removed_by_the_next(school):
    reports = school.folders["reports"]
    live = start_writer(reports / "другой отчёт.xlsx")
    try:
        (being_written,) = temporaries(reports)
        killed = start_writer(reports / REPORT)
        (left,) = set(temporaries(reports)) - {being_written}
        stop(killed)
        foreign = reports / ".~ibc-xls-чужой.tmp"
        foreign.write_bytes(b"not named by a process of ours")
        assert left.exists()
        result = invoke("collect", str(school.root), "--period", "2026-10")
        assert result.exit_code == 0, result.output
        assert not left.exists()
        assert being_written.exists(), "a live run's temporary file was removed"
        assert foreign.exists()
    finally:
        stop(live)
