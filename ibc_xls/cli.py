"""The ``ibc-xls`` command line: thin commands that parse options, call the core and print
the result in Russian. The only module that imports click."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ibc_xls import __version__, cli_ru
from ibc_xls.problems import IbcError

cli_ru.install()

FOLDER_HELP = "Рабочая папка школы (где лежит ibc-xls.toml). По умолчанию — текущая."
STATUS_TEXT = {
    "created": "создана",
    "updated": "обновлена",
    "unchanged": "без изменений",
    "kept": "НЕ перезаписана: файл изменён после создания (возможно, уже заполнен)",
}


class _Command(click.Command):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[ПАРАМЕТРЫ]")
        super().__init__(*args, **kwargs)


class _Group(click.Group):
    command_class = _Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[ПАРАМЕТРЫ]")
        kwargs.setdefault("subcommand_metavar", "КОМАНДА [АРГУМЕНТЫ]...")
        super().__init__(*args, **kwargs)


def _fail(exc: IbcError) -> None:
    for problem in exc.problems:
        click.echo(f"Ошибка. {problem}", err=True)
    sys.exit(2)


folder_option = click.option(
    "-C", "--folder", type=click.Path(file_okay=False, path_type=Path), default=".",
    metavar="ПАПКА", help=FOLDER_HELP)


@click.group("ibc-xls", cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", message="ibc-xls %(version)s",
                      help="Показать версию и выйти.")
def cli() -> None:
    """ibc-xls — отчётность информационно-библиотечного центра школы через обычные книги
    Excel.

    \b
    Порядок работы:
      1. ibc-xls init ПАПКА   — создать рабочую папку школы;
      2. ibc-xls generate     — сделать бланки для зав. ИБЦ и классных руководителей;
      3. разослать бланки, а заполненные книги положить в папку «сданные».
    """


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".",
                metavar="[ПАПКА]")
def init(folder: Path) -> None:
    """Создать рабочую папку школы ПАПКА (по умолчанию — текущую).

    В ней появятся файл настроек ibc-xls.toml с примером для МОУ «СОШ №4», шаблоны форм
    и папки для бланков, сданных книг и отчётов. Уже существующие файлы не меняются.
    """
    from ibc_xls.workspace import init_workspace

    result = init_workspace(folder)
    for path in result.created:
        click.echo(f"Создано: {path}")
    for path in result.kept:
        click.echo(f"Уже есть, не изменено: {path}")
    click.echo(f"Откройте {result.root / 'ibc-xls.toml'}, впишите свою школу, классы и "
               "учителей, затем выполните «ibc-xls generate».")


@cli.command()
@folder_option
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              metavar="ПАПКА",
              help="Куда записать бланки. По умолчанию — папка бланков из настроек.")
def generate(folder: Path, out: Path | None) -> None:
    """Сделать бланки: по одной книге Excel на каждого респондента.

    Зав. ИБЦ получает дорожную карту и свои формы, каждый классный руководитель — формы
    своего класса. Книга, которую уже заполняли, не перезаписывается.
    """
    from ibc_xls.config import load_config
    from ibc_xls.generate import generate as run

    try:
        outcomes = run(load_config(folder), out)
    except IbcError as exc:
        _fail(exc)
    for o in outcomes:
        click.echo(f"{o.path.name}: {STATUS_TEXT[o.status]}")
    written = sum(o.status in ("created", "updated") for o in outcomes)
    kept = sum(o.status == "kept" for o in outcomes)
    folder_out = outcomes[0].path.parent if outcomes else out
    click.echo(f"Готово: книг {len(outcomes)}, записано {written}, в папке {folder_out}.")
    if kept:
        click.echo(f"Не перезаписано книг: {kept}. Если они пустые и их можно заменить, "
                   "удалите их и запустите команду ещё раз.", err=True)


def main() -> None:
    """Entry point of the ``ibc-xls`` console script."""
    # A Windows console or a redirected stream may not speak UTF-8: an unencodable «» or —
    # must print as "?" rather than end the command with a traceback.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    cli(prog_name="ibc-xls")
