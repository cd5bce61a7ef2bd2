"""The command line, driven as a user drives it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ibc_xls.cli import cli

CYRILLIC = re.compile(r"[а-яё]{4,}", re.IGNORECASE)
COMMANDS = sorted(cli.commands)


def run(*args: str, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def test_group_help_is_russian():
    result = run("--help")
    assert result.exit_code == 0
    assert "отчётность информационно-библиотечного центра" in result.output
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_russian_help(name):
    result = run(name, "--help")
    assert result.exit_code == 0
    assert cli.commands[name].help, name
    summary = cli.commands[name].help.splitlines()[0]
    assert CYRILLIC.search(summary), f"{name}: help is not Russian: {summary!r}"
    for param in cli.commands[name].params:
        if getattr(param, "help", None):
            assert CYRILLIC.search(param.help), f"{name} {param.name}: {param.help!r}"


def test_usage_errors_are_russian():
    result = CliRunner().invoke(cli, ["generate", "--bogus"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Ошибка: Нет такого параметра '--bogus'." in result.stderr
    assert "Справка: ibc-xls generate -h" in result.stderr or "Справка:" in result.stderr
    assert "Usage" not in result.stderr and "Error" not in result.stderr


def test_unknown_command_is_russian():
    result = CliRunner().invoke(cli, ["gen"])
    assert result.exit_code == 2
    assert "Ошибка: Нет такой команды 'gen'." in result.stderr


def test_help_frame_is_russian():
    text = run("generate", "--help").output
    for english in ("Usage", "Options", "Show this message", "DIRECTORY", "[OPTIONS]"):
        assert english not in text
    assert text.startswith("Использование: ibc-xls generate [ПАРАМЕТРЫ]")


def test_only_the_cli_imports_click():
    package = Path(__file__).resolve().parent.parent / "ibc_xls"
    importers = sorted(p.relative_to(package).as_posix() for p in package.rglob("*.py")
                       if re.search(r"^\s*(import click|from click)", p.read_text("utf-8"),
                                    re.MULTILINE))
    assert importers == ["cli.py"]


def test_init_then_generate(tmp_path):
    result = run("init", str(tmp_path / "школа"))
    assert result.exit_code == 0
    assert f"Создано: {tmp_path / 'школа' / 'ibc-xls.toml'}" in result.output
    result = run("generate", "--folder", str(tmp_path / "школа"))
    assert result.exit_code == 0, result.output
    assert "Зав. ИБЦ — Сидорова Елена Викторовна.xlsx: создана" in result.output
    assert "Готово: книг 21, записано 21" in result.output
    result = run("generate", "-C", str(tmp_path / "школа"))
    assert "Готово: книг 21, записано 0" in result.output
    assert result.output.count("без изменений") == 21


def test_generate_in_the_current_folder(tmp_path):
    run("init", str(tmp_path))
    result = run("generate", cwd=tmp_path)
    assert result.exit_code == 0
    assert len(list((tmp_path / "бланки").glob("*.xlsx"))) == 21


def test_init_twice_keeps_the_users_edits(tmp_path):
    run("init", str(tmp_path))
    config = tmp_path / "ibc-xls.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n# моя правка\n", encoding="utf-8")
    result = run("init", str(tmp_path))
    assert result.exit_code == 0
    assert f"Уже есть, не изменено: {config}" in result.output
    assert config.read_text(encoding="utf-8").endswith("# моя правка\n")


def test_generate_without_config_says_what_to_do(tmp_path):
    result = CliRunner().invoke(cli, ["generate", "-C", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Файл настроек не найден" in result.stderr
    assert "ibc-xls init" in result.stderr
    assert f"искали в папках: «{tmp_path}»." in result.stderr


def test_generate_reports_a_broken_config_with_its_key(tmp_path):
    run("init", str(tmp_path))
    config = tmp_path / "ibc-xls.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('name = "5Б"', 'name = "5Ъ+"'),
                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["generate", "-C", str(tmp_path)])
    assert result.exit_code == 2
    assert "classes[10].name" in result.stderr
    assert "5Ъ+" in result.stderr


def test_generate_reports_a_kept_workbook(tmp_path):
    run("init", str(tmp_path))
    run("generate", "-C", str(tmp_path))
    filled = tmp_path / "бланки" / "5А класс — Васильева Анна Андреевна.xlsx"
    filled.write_bytes(filled.read_bytes() + b"\0")
    result = CliRunner().invoke(cli, ["generate", "-C", str(tmp_path)])
    assert result.exit_code == 0
    assert f"{filled.name}: НЕ перезаписана" in result.stdout
    assert "Не перезаписано книг: 1" in result.stderr


def _python(*code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *code], capture_output=True,
                          env={**os.environ, **(env or {})}, timeout=60, check=False)


def test_help_needs_no_test_extras_and_no_pandas():
    probe = ("import sys\n"
             "for name in ('pytest', 'hypothesis', 'ruff'): sys.modules[name] = None\n"
             "sys.argv = ['ibc-xls', '--help']\n"
             "from ibc_xls.cli import main\n"
             "try:\n    main()\nexcept SystemExit as e:\n"
             "    assert 'pandas' not in sys.modules, 'pandas imported for --help'\n"
             "    raise\n")
    result = _python("-c", probe)
    assert result.returncode == 0, result.stderr.decode()
    assert "Порядок работы" in result.stdout.decode("utf-8")


def test_python_dash_m_works():
    result = _python("-m", "ibc_xls", "--version")
    assert result.returncode == 0
    assert result.stdout.decode().startswith("ibc-xls ")


@pytest.mark.parametrize("encoding", ["cp1251", "cp866"])
def test_output_to_a_non_utf8_console(tmp_path, encoding):
    result = _python("-m", "ibc_xls", "init", str(tmp_path / "школа"),
                     env={"PYTHONIOENCODING": encoding, "PYTHONUTF8": "0"})
    assert result.returncode == 0, result.stderr.decode(encoding, "replace")
    text = result.stdout.decode(encoding)
    assert "Откройте" in text
    assert (tmp_path / "школа" / "ibc-xls.toml").is_file()
