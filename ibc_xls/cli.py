"""The ``ibc-xls`` command line: thin commands that parse options, call the core and print
the result in Russian. The only module that imports click."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ibc_xls import __version__, cli_ru
from ibc_xls.problems import IbcError, visible

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

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _interrupted()


INTERRUPTED = 130  # the exit code of a program stopped by Ctrl+C (128 + SIGINT)


def _interrupted() -> None:
    """Ctrl+C: the readers are stopped by then (run_isolated stops its workers on the way
    out); stop multiprocessing's helpers too, so that no process outlives the command, and
    end with the code shells use for Ctrl+C. A second Ctrl+C must not cut this short."""
    import signal
    import threading

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        isolate = sys.modules.get("ibc_xls.reading.isolate")
        if isolate is not None:
            isolate.stop_workers()
            isolate.stop_helpers()
        click.echo(cli_ru.MESSAGES["Aborted!"], err=True)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    sys.exit(INTERRUPTED)


def _say(text: str, err: bool = False) -> None:
    """Print a line that may hold a file name or a cell's text: whatever control characters
    they hold are shown, not obeyed by the terminal."""
    click.echo(visible(text), err=err)


def _fail(exc: IbcError) -> None:
    for problem in exc.problems:
        _say(f"Ошибка. {problem}", err=True)
    sys.exit(2)


folder_option = click.option(
    "-C", "--folder", type=click.Path(file_okay=False, path_type=Path), default=".",
    metavar="ПАПКА", help=FOLDER_HELP)
settings_option = click.option(
    "-C", "--folder", type=click.Path(file_okay=False, path_type=Path), default=None,
    metavar="ПАПКА",
    help="Рабочая папка школы (где лежит ibc-xls.toml). По умолчанию — ближайшая папка с "
         "ibc-xls.toml: первая из названных или текущая, либо выше неё.")
sources_argument = click.argument(
    "paths", nargs=-1, metavar="[ПАПКА или ФАЙЛ]...", type=click.Path(exists=True, path_type=Path))
DATE = click.DateTime(formats=["%d.%m.%Y", "%Y-%m-%d"])


def as_of_option(default_text: str):
    return click.option(
        "--as-of", "as_of", type=DATE, metavar="ДД.ММ.ГГГГ",
        help="Отчётная дата: на этот день оцениваются сроки дорожной карты и даты «в будущем», "
             f"так что повторный запуск даёт те же цифры. По умолчанию — {default_text}.")


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
@click.option("--office", is_flag=True,
              help="Создать рабочую папку управления образования (для ibc-xls rollup), "
                   "а не школы.")
def init(folder: Path, office: bool) -> None:
    """Создать рабочую папку школы ПАПКА (по умолчанию — текущую).

    В ней появятся файл настроек ibc-xls.toml с примером для МОУ «СОШ №4», шаблоны форм
    и папки для бланков, сданных книг и отчётов. С --office — рабочая папка управления
    образования: настройки ibc-xls-office.toml со списком школ и папки для полученных
    отчётов и сводок. Уже существующие файлы не меняются.
    """
    if office:
        from ibc_xls.rollup.office import OFFICE_CONFIG_NAME, init_office

        done = init_office(folder)
        for path in done.created:
            click.echo(f"Создано: {path}")
        for path in done.kept:
            click.echo(f"Уже есть, не изменено: {path}")
        click.echo(f"Откройте {done.root / OFFICE_CONFIG_NAME}, впишите управление и школы, "
                   "положите отчёты школ в папку «полученные» и выполните «ibc-xls rollup».")
        return
    from ibc_xls.settings.workspace import init_workspace

    result = init_workspace(folder)
    for path in result.created:
        click.echo(f"Создано: {path}")
    for path in result.kept:
        click.echo(f"Уже есть, не изменено: {path}")
    click.echo(f"Откройте {result.root / 'ibc-xls.toml'}, впишите свою школу, классы и "
               "учителей, затем выполните «ibc-xls generate».")
    click.echo(f"Тексты форм, списки и заголовки можно изменить в шаблонах в папке "
               f"{result.templates}; название школы и региона они берут из ibc-xls.toml.")


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
    from ibc_xls.blanks.generate import generate as run
    from ibc_xls.settings.config import load_config

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


@cli.command()
@sources_argument
@settings_option
@as_of_option("сегодня, а если учебный год бланков уже закончился — его последний день "
              "(31 августа)")
@click.option("--json", "as_json", is_flag=True,
              help="Вывести результат в формате JSON (для других программ).")
def validate(paths: tuple[Path, ...], folder: Path | None, as_of, as_json: bool) -> None:
    """Проверить сданные книги и показать, что в них не так.

    ПАПКА — рабочая папка школы (проверяется её папка «сданные») или папка со сданными
    книгами; можно назвать и отдельные файлы. Без аргументов — текущая папка. Бланки,
    шаблоны, отчёты и файл настроек не проверяются. Для каждой ошибки называются файл,
    лист и ячейка. Код выхода: 0 — ошибок нет, 1 — есть ошибки, 2 — команду нельзя
    выполнить, 130 — прервано.
    """
    import json

    from ibc_xls.checking.check import check_paths
    from ibc_xls.settings.config import locate

    try:
        config, sources = locate(paths, folder)
        report = check_paths(sources, config, as_of=as_of.date() if as_of else None)
    except IbcError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=1))
    else:
        _print_report(report)
    sys.exit(0 if report.valid else 1)



@cli.command()
@sources_argument
@settings_option
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              metavar="ПАПКА",
              help="Куда записать копии. По умолчанию — папка «на исправление» из настроек.")
@as_of_option("как у validate: сегодня, а если учебный год бланков уже закончился — его "
              "последний день")
@click.option("--json", "as_json", is_flag=True,
              help="Вывести результат в формате JSON (для других программ).")
def review(paths: tuple[Path, ...], folder: Path | None, out: Path | None, as_of,
           as_json: bool) -> None:
    """Сделать копии книг с отмеченными ошибками, чтобы вернуть их на исправление.

    Каждый, у кого в книге есть ошибки или замечания, получает копию своей книги.
    ПАПКА — как у validate: рабочая папка школы (её папка «сданные»), папка со сданными
    книгами или отдельные файлы; без аргументов — текущая папка. Копия — та же книга со всеми
    введёнными значениями; ячейки с ошибками закрашены и снабжены примечаниями, а первый
    лист «Что исправить» перечисляет все ошибки со ссылками на ячейки. Сданные файлы не
    меняются. Рядом с копиями записывается «Список на исправление.xlsx» для рассылки.
    Код выхода: 0 — готово, 1 — часть копий или список не записаны (файл открыт),
    2 — команду нельзя выполнить.
    """
    import json

    from ibc_xls.review.copies import review as run
    from ibc_xls.settings.config import locate

    try:
        config, sources = locate(paths, folder)
        result = run(config, sources, out, as_of=as_of.date() if as_of else None)
    except IbcError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    else:
        _print_review(result)
    failed = result.count("locked") or result.list_problem is not None
    sys.exit(1 if failed else 0)


def _print_review(result) -> None:
    from ibc_xls.review.copies import STATUS_TEXT as REVIEW_STATUS

    if not result.entries:
        click.echo("Книг для проверки не найдено.")
        return
    for e in result.entries:
        counts = f"ошибок {e.errors}, замечаний {e.warnings}"
        who = f" ({e.who})" if e.who else ""
        if e.status == "written":
            click.echo(f"{e.copy.name}: {REVIEW_STATUS[e.status]}{who}; {counts}.")
        elif e.status == "locked":
            click.echo(f"{e.copy.name}: {REVIEW_STATUS[e.status]}{who}. {e.reason}", err=True)
        elif e.status == "refused":
            click.echo(f"{e.file}: {REVIEW_STATUS[e.status]}{who}. {e.reason} Свяжитесь с "
                       "респондентом.")
        elif e.status == "replaced":
            click.echo(f"{e.file}: {REVIEW_STATUS[e.status]} «{e.reason}».")
    done = [e for e in result.entries if e.status == "done"]
    written = result.count("written")
    click.echo(f"Копий на исправление: {written} в папке {result.folder}.")
    if done:
        names = "; ".join(e.who or e.file for e in done)
        click.echo(f"Исправлять нечего ({len(done)}): {names}.")
    if result.count("locked"):
        click.echo(f"Не записано копий: {result.count('locked')}: закройте их и запустите "
                   "команду ещё раз.", err=True)
    if result.count("refused"):
        click.echo(f"Без копии: {result.count('refused')} — с этими респондентами нужно "
                   "связаться.")
    if result.sending_list is not None:
        click.echo(f"Список для рассылки: {result.sending_list}")
    else:
        click.echo(f"Список для рассылки не записан: {result.list_problem.message}", err=True)


@cli.command()
@sources_argument
@settings_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              metavar="ФАЙЛ.xlsx",
              help="Куда записать отчёт. По умолчанию — папка отчётов из настроек. Сданную "
                   "книгу, бланк, шаблон или файл настроек отчёт не заменит.")
@click.option("--period", metavar="ГГГГ-ММ",
              help="Отчётный период: 2026-04 — с 1 октября 2025 по 31 марта 2026, "
                   "2026-10 — с 1 апреля по 30 сентября 2026. По умолчанию — ближайший отчёт.")
@click.option("--from", "date_from", type=DATE, metavar="ДД.ММ.ГГГГ",
              help="Начало своего периода (вместе с --to).")
@click.option("--to", "date_to", type=DATE, metavar="ДД.ММ.ГГГГ",
              help="Конец своего периода (вместе с --from).")
@as_of_option("последний день периода, а если он ещё не наступил — сегодня")
@click.option("--strict", is_flag=True,
              help="Код выхода 1, если в книгах есть ошибки (отчёт всё равно пишется).")
@click.option("--json", "as_json", is_flag=True,
              help="Вывести итог в формате JSON (для других программ).")
def collect(paths: tuple[Path, ...], folder: Path | None, output: Path | None,
            period: str | None, date_from, date_to, as_of, strict: bool, as_json: bool) -> None:
    """Собрать сданные книги в сводный отчёт для управления образования.

    ПАПКА — рабочая папка школы (читается её папка «сданные») или папка со сданными
    книгами; можно назвать и отдельные файлы. Без аргументов — текущая папка. Каждая книга
    проверяется; ошибки попадают в отчёт и в вывод. Код выхода: 0 — отчёт записан,
    1 — записан, но есть ошибки и указан --strict, 2 — отчёт записать нельзя,
    130 — прервано.
    """
    import datetime as dt
    import json

    from ibc_xls.report.collect import collect as run
    from ibc_xls.settings import periods
    from ibc_xls.settings.config import locate

    if (date_from is None) != (date_to is None):
        raise click.UsageError("--from и --to указываются вместе.")
    if period and date_from:
        raise click.UsageError("Укажите либо --period, либо --from и --to.")
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if total <= 5 or as_json or not sys.stderr.isatty():
            return
        if bar is None:
            bar = click.progressbar(length=total, label="Чтение книг", file=sys.stderr)
            bar.__enter__()
        bar.update(1)
        if done == total:
            bar.__exit__(None, None, None)

    try:
        config, sources = locate(paths, folder)
        today = dt.date.today()
        if date_from:
            chosen = periods.custom_period(date_from.date(), date_to.date())
        elif period:
            chosen = periods.report_period(period)
        else:
            chosen = periods.default_period(today)
        result = run(config, chosen, paths=sources, output=output,
                     as_of=as_of.date() if as_of else None, progress=progress)
    except IbcError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    else:
        _print_collected(result, config.root)
    sys.exit(1 if strict and not result.report.valid else 0)


@cli.command()
@click.argument("folder", required=False, metavar="[ПАПКА]", default=".",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              metavar="СВОДКА.xlsx",
              help="Куда записать сводку. По умолчанию — папка сводок из настроек.")
@click.option("--period", metavar="ГГГГ-ММ",
              help="Отчётный период: 2026-04 — отчёты за апрель 2026 (1 октября 2025 – "
                   "31 марта 2026), 2026-10 — за октябрь. По умолчанию — последний период, "
                   "за который есть отчёт.")
@click.option("--all-periods", is_flag=True,
              help="Учесть и отчёты прошлых периодов: листы «Динамика — …» покажут каждый "
                   "показатель по школам и периодам.")
@click.option("--strict", is_flag=True,
              help="Код выхода 1, если есть ошибки (сводка всё равно пишется).")
def rollup(folder: Path, output: Path | None, period: str | None, all_periods: bool,
           strict: bool) -> None:
    """Свести отчёты школ в одну сводку управления образования.

    ПАПКА — рабочая папка управления (где лежит ibc-xls-office.toml, её делает
    «ibc-xls init --office»), по умолчанию — текущая. Читаются все файлы папки
    «полученные»: отчёт школы узнаётся по его паспорту, как бы файл ни назывался.
    Код выхода: 0 — сводка записана, 1 — записана, но есть ошибки и указан --strict,
    2 — сводку записать нельзя.
    """
    from ibc_xls.rollup.office import load_office
    from ibc_xls.rollup.run import run_rollup

    try:
        done = run_rollup(load_office(folder), output=output, period=period,
                          all_periods=all_periods)
    except IbcError as exc:
        _fail(exc)
    _print_rolled(done)
    sys.exit(1 if strict and done.rolled.errors else 0)


def _print_rolled(done) -> None:
    from ibc_xls.rollup.combine import STATUS_HISTORY, STATUS_USED

    rolled = done.rolled
    counted = len(rolled.counted)
    click.echo(f"Период: {rolled.period_label or 'не определён (отчётов нет)'}.")
    click.echo(f"Файлов в папке: {done.files}; отчёты сдали {len(rolled.used)} из "
               f"{len(rolled.office.schools)} школ; учтено в итогах: {counted}.")
    if rolled.missing:
        names = "; ".join(s.short for s in rolled.missing)
        click.echo(f"Не сдали отчёт ({len(rolled.missing)}): {names}.")
    else:
        click.echo("Отчёты сдали все школы.")
    skipped = [row for row in rolled.files.frame.itertuples(index=False)
               if row.Статус not in (STATUS_USED, STATUS_HISTORY)]
    if skipped:
        click.echo(f"Не учтено в сводке файлов: {len(skipped)}:")
        for row in skipped:
            click.echo(f"  {row.Файл} — {row.Статус}")
    for problem in rolled.problem_list:
        mark = "ошибка" if problem.severity.value == "error" else "замечание"
        click.echo(f"  {mark}: {problem}")
    click.echo(f"Сводка {'заменена' if done.replaced else 'записана'}: {done.output}")


def _print_collected(result, root: Path) -> None:
    from ibc_xls.report.consolidate import PROBLEMS_SHEET
    from ibc_xls.settings.respondents import ROLE_TITLES

    summary = result.report.to_json()["summary"]
    _say(f"Период: {result.period.label} ({result.period.text}); отчётная дата "
         f"{result.as_of:%d.%m.%Y}.")
    sent = result.expected - len(result.missing)
    replaced = f", заменено: {summary['replaced']}" if summary["replaced"] else ""
    _say(f"Книг получено: {summary['files']}, от {sent} из {result.expected} "
         f"респондентов; принято: {summary['accepted']}, с ошибками: "
         f"{summary['with_errors']}, не принято: {summary['refused']}{replaced}.")
    if summary["errors"] or summary["warnings"]:
        _say(f"Ошибок: {summary['errors']}, замечаний: {summary['warnings']} — список на "
             f"листе «{PROBLEMS_SHEET}» отчёта; подробно: ibc-xls validate {_as_argument(root)}.")
    if result.missing:
        names = "; ".join(f"{r.class_name} класс — {r.name}" if r.class_name
                          else f"{ROLE_TITLES[r.role]} — {r.name}" for r in result.missing)
        _say(f"Не сдали ({len(result.missing)}): {names}.")
    else:
        _say("Сдали все.")
    _say(f"Отчёт {'заменён' if result.replaced else 'записан'}: {result.output}")


def _as_argument(folder: Path) -> str:
    """A folder as one would type it after a command here: relative to the current folder
    where it lies inside it, in quotes if it has spaces."""
    try:
        text = str(folder.relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        text = str(folder)
    return f'"{text}"' if " " in text else text


def _print_report(report) -> None:
    from ibc_xls.checking.results import STATUS_TEXT as FILE_STATUS

    if not report.files:
        _say("Книг для проверки не найдено.")
        return
    for result in report.files:
        counts = []
        if result.errors:
            counts.append(f"ошибок: {result.errors}")
        if result.warnings:
            counts.append(f"замечаний: {result.warnings}")
        tail = f" ({', '.join(counts)})" if counts else ""
        _say(f"{result.file} — {FILE_STATUS[result.status]}{tail}")
        for problem in result.problems:
            where = ", ".join(x for x in (problem.sheet and f"лист «{problem.sheet}»",
                                          problem.cell and f"ячейка {problem.cell}") if x)
            mark = "ошибка" if problem.severity.value == "error" else "замечание"
            _say(f"  {mark}: {where + ': ' if where else ''}{problem.message}")
    summary = report.to_json()["summary"]
    replaced = f", заменено {summary['replaced']}" if summary["replaced"] else ""
    _say(f"Итого: книг {summary['files']}, принято {summary['accepted']}, "
         f"с ошибками {summary['with_errors']}, не принято {summary['refused']}"
         f"{replaced}; ошибок {summary['errors']}, замечаний {summary['warnings']}. "
         f"Отчётная дата: {report.as_of:%d.%m.%Y}.")


def main() -> None:
    """Entry point of the ``ibc-xls`` console script."""
    # A Windows console or a redirected stream may not speak UTF-8: an unencodable «» or —
    # must print as "?" rather than end the command with a traceback.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    cli(prog_name="ibc-xls")
