"""The ``ibc-xls`` command line: thin commands that parse options, call the core and print
the result in Russian. The only module that imports click."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ibc_xls import __version__, cli_ru
from ibc_xls.problems import IbcError, visible
from ibc_xls.text import Cli, Help

cli_ru.install()



class _Command(click.Command):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", Help.OPTIONS)
        super().__init__(*args, **kwargs)


class _Group(click.Group):
    command_class = _Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", Help.OPTIONS)
        kwargs.setdefault("subcommand_metavar", Help.SUBCOMMAND)
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _interrupted()


INTERRUPTED = 130  # the exit code of a program stopped by Ctrl+C (128 + SIGINT)


def _interrupted() -> None:
    """Ctrl+C: the readers are stopped by then (run_isolated stops its workers on the way
    out); stop any still started (say, by prestart, before a run took them), so that no
    process outlives the command, and end with the code shells use for Ctrl+C. A second
    Ctrl+C must not cut this short."""
    import signal
    import threading

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        isolate = sys.modules.get("ibc_xls.reading.isolate")
        if isolate is not None:
            isolate.stop_workers()
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
        _say(Cli.FAILED.format(problem=problem), err=True)
    sys.exit(2)


folder_option = click.option(
    "-C", "--folder", type=click.Path(file_okay=False, path_type=Path), default=".",
    metavar=Help.FOLDER, help=Help.FOLDER_HELP)
settings_option = click.option(
    "-C", "--folder", type=click.Path(file_okay=False, path_type=Path), default=None,
    metavar=Help.FOLDER, help=Help.SETTINGS_FOLDER)
sources_argument = click.argument(
    "paths", nargs=-1, metavar=Help.SOURCES, type=click.Path(exists=True, path_type=Path))
DATE = click.DateTime(formats=["%d.%m.%Y", "%Y-%m-%d"])


def as_of_option(default_text: str):
    return click.option(
        "--as-of", "as_of", type=DATE, metavar=Help.DATE,
        help=Help.AS_OF.format(default=default_text))


@click.group("ibc-xls", cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", message="ibc-xls %(version)s",
                      help=Help.VERSION)
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
                metavar=Help.OPTIONAL_FOLDER)
@click.option("--office", is_flag=True, help=Help.INIT_OFFICE)
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
            click.echo(Cli.CREATED.format(path=path))
        for path in done.kept:
            click.echo(Cli.KEPT.format(path=path))
        click.echo(Cli.INIT_OFFICE_NEXT.format(config=done.root / OFFICE_CONFIG_NAME))
        return
    from ibc_xls.settings.workspace import init_workspace

    result = init_workspace(folder)
    for path in result.created:
        click.echo(Cli.CREATED.format(path=path))
    for path in result.kept:
        click.echo(Cli.KEPT.format(path=path))
    click.echo(Cli.INIT_NEXT.format(config=result.root / "ibc-xls.toml"))
    click.echo(Cli.INIT_TEMPLATES.format(templates=result.templates))


@cli.command()
@folder_option
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              metavar=Help.FOLDER, help=Help.GENERATE_OUT)
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
        click.echo(Cli.BLANK_LINE.format(name=o.path.name, status=Cli.BLANK_STATUS[o.status]))
    written = sum(o.status in ("created", "updated") for o in outcomes)
    kept = sum(o.status == "kept" for o in outcomes)
    folder_out = outcomes[0].path.parent if outcomes else out
    click.echo(Cli.GENERATED.format(total=len(outcomes), written=written, folder=folder_out))
    if kept:
        click.echo(Cli.NOT_OVERWRITTEN.format(kept=kept), err=True)


@cli.command()
@sources_argument
@settings_option
@as_of_option(Help.AS_OF_VALIDATE)
@click.option("--json", "as_json", is_flag=True, help=Help.JSON_RESULT)
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
              metavar=Help.FOLDER, help=Help.REVIEW_OUT)
@as_of_option(Help.AS_OF_REVIEW)
@click.option("--json", "as_json", is_flag=True, help=Help.JSON_RESULT)
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
        click.echo(Cli.NOTHING_TO_CHECK)
        return
    for e in result.entries:
        counts = Cli.REVIEW_COUNTS.format(errors=e.errors, warnings=e.warnings)
        who = Cli.REVIEW_WHO.format(who=e.who) if e.who else ""
        status = REVIEW_STATUS.get(e.status)
        if e.status == "written":
            click.echo(Cli.REVIEW_WRITTEN.format(copy=e.copy.name, status=status, who=who,
                                                 counts=counts))
        elif e.status == "locked":
            click.echo(Cli.REVIEW_LOCKED.format(copy=e.copy.name, status=status, who=who,
                                                reason=e.reason), err=True)
        elif e.status == "refused":
            click.echo(Cli.REVIEW_REFUSED.format(file=e.file, status=status, who=who,
                                                 reason=e.reason))
        elif e.status == "replaced":
            click.echo(Cli.REVIEW_REPLACED.format(file=e.file, status=status, reason=e.reason))
    done = [e for e in result.entries if e.status == "done"]
    written = result.count("written")
    click.echo(Cli.REVIEW_COPIES.format(written=written, folder=result.folder))
    if done:
        names = "; ".join(e.who or e.file for e in done)
        click.echo(Cli.REVIEW_NOTHING.format(count=len(done), names=names))
    if result.count("locked"):
        click.echo(Cli.REVIEW_NOT_WRITTEN.format(count=result.count("locked")), err=True)
    if result.count("refused"):
        click.echo(Cli.REVIEW_NO_COPY.format(count=result.count("refused")))
    if result.sending_list is not None:
        click.echo(Cli.SENDING_LIST.format(path=result.sending_list))
    else:
        click.echo(Cli.SENDING_LIST_FAILED.format(message=result.list_problem.message),
                   err=True)


@cli.command()
@sources_argument
@settings_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              metavar=Help.REPORT_FILE, help=Help.COLLECT_OUTPUT)
@click.option("--period", metavar=Help.PERIOD, help=Help.COLLECT_PERIOD)
@click.option("--from", "date_from", type=DATE, metavar=Help.DATE, help=Help.FROM)
@click.option("--to", "date_to", type=DATE, metavar=Help.DATE, help=Help.TO)
@as_of_option(Help.AS_OF_COLLECT)
@click.option("--strict", is_flag=True, help=Help.COLLECT_STRICT)
@click.option("--json", "as_json", is_flag=True, help=Help.JSON_SUMMARY)
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
        raise click.UsageError(Cli.FROM_TO_TOGETHER)
    if period and date_from:
        raise click.UsageError(Cli.PERIOD_OR_DATES)
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if total <= 5 or as_json or not sys.stderr.isatty():
            return
        if bar is None:
            bar = click.progressbar(length=total, label=Cli.READING, file=sys.stderr)
            bar.__enter__()
        bar.update(1)
        if done == total:
            bar.__exit__(None, None, None)

    try:
        config, sources = locate(paths, folder)
        for problem in config.template_warnings():  # before the report that lacks the sheets
            click.echo(Cli.PROBLEM_LINE.format(mark=Cli.WARNING, problem=problem),
                       err=as_json)
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
@click.argument("folder", required=False, metavar=Help.OPTIONAL_FOLDER, default=".",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              metavar=Help.ROLLUP_FILE, help=Help.ROLLUP_OUTPUT)
@click.option("--period", metavar=Help.PERIOD, help=Help.ROLLUP_PERIOD)
@click.option("--all-periods", is_flag=True, help=Help.ALL_PERIODS)
@click.option("--strict", is_flag=True, help=Help.ROLLUP_STRICT)
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
    _say(Cli.ROLLUP_PERIOD.format(label=rolled.period_label or Cli.ROLLUP_NO_PERIOD))
    _say(Cli.ROLLUP_FILES.format(files=done.files, used=len(rolled.used),
                                 schools=len(rolled.office.schools), counted=counted))
    if rolled.missing:
        names = "; ".join(s.short for s in rolled.missing)
        _say(Cli.ROLLUP_MISSING.format(count=len(rolled.missing), names=names))
    else:
        _say(Cli.ROLLUP_ALL_SENT)
    skipped = [row for row in rolled.files.frame.itertuples(index=False)
               if row.Статус not in (STATUS_USED, STATUS_HISTORY)]
    if skipped:
        _say(Cli.ROLLUP_SKIPPED.format(count=len(skipped)))
        for row in skipped:
            _say(Cli.ROLLUP_SKIPPED_FILE.format(file=row.Файл, status=row.Статус))
    for problem in rolled.problem_list:
        _say(Cli.PROBLEM_LINE.format(mark=_mark(problem), problem=problem))
    written = Cli.ROLLUP_REPLACED if done.replaced else Cli.ROLLUP_WRITTEN
    _say(written.format(path=done.output))


def _print_collected(result, root: Path) -> None:
    from ibc_xls.report.consolidate import PROBLEMS_SHEET
    from ibc_xls.settings.respondents import ROLE_TITLES

    summary = result.report.to_json()["summary"]
    _say(Cli.COLLECT_PERIOD.format(label=result.period.label, text=result.period.text,
                                   as_of=result.as_of))
    sent = result.expected - len(result.missing)
    replaced = Cli.REPLACED_COUNT.format(count=summary["replaced"]) if summary["replaced"] else ""
    _say(Cli.COLLECTED.format(files=summary["files"], sent=sent, expected=result.expected,
                              accepted=summary["accepted"], with_errors=summary["with_errors"],
                              refused=summary["refused"], replaced=replaced))
    if summary["errors"] or summary["warnings"]:
        _say(Cli.COLLECT_PROBLEMS.format(errors=summary["errors"], warnings=summary["warnings"],
                                         sheet=PROBLEMS_SHEET, folder=_as_argument(root)))
    if result.missing:
        names = "; ".join(
            Cli.MISSING_CLASS.format(class_name=r.class_name, name=r.name) if r.class_name
            else Cli.MISSING_ROLE.format(role=ROLE_TITLES[r.role], name=r.name)
            for r in result.missing)
        _say(Cli.MISSING.format(count=len(result.missing), names=names))
    else:
        _say(Cli.ALL_SENT)
    written = Cli.REPORT_REPLACED if result.replaced else Cli.REPORT_WRITTEN
    _say(written.format(path=result.output))


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
        _say(Cli.NOTHING_TO_CHECK)
        return
    for result in report.files:
        counts = []
        if result.errors:
            counts.append(Cli.FILE_ERRORS.format(count=result.errors))
        if result.warnings:
            counts.append(Cli.FILE_WARNINGS.format(count=result.warnings))
        tail = Cli.FILE_COUNTS.format(counts=", ".join(counts)) if counts else ""
        _say(Cli.FILE_LINE.format(file=result.file, status=FILE_STATUS[result.status],
                                  counts=tail))
        for problem in result.problems:
            where = ", ".join(x for x in (
                problem.sheet and Cli.ON_SHEET.format(sheet=problem.sheet),
                problem.cell and Cli.IN_CELL.format(cell=problem.cell)) if x)
            line = Cli.PROBLEM_AT if where else Cli.PROBLEM_NOWHERE
            _say(line.format(mark=_mark(problem), where=where, message=problem.message))
    summary = report.to_json()["summary"]
    replaced = Cli.REPLACED_FILES.format(count=summary["replaced"]) if summary["replaced"] else ""
    _say(Cli.CHECKED.format(files=summary["files"], accepted=summary["accepted"],
                            with_errors=summary["with_errors"], refused=summary["refused"],
                            replaced=replaced, errors=summary["errors"],
                            warnings=summary["warnings"], as_of=report.as_of))


def _mark(problem) -> str:
    """«ошибка» or «замечание»: how a problem's line starts."""
    return Cli.ERROR if problem.severity.value == "error" else Cli.WARNING


def main() -> None:
    """Entry point of the ``ibc-xls`` console script."""
    # A Windows console or a redirected stream may not speak UTF-8: an unencodable «» or —
    # must print as "?" rather than end the command with a traceback.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    cli(prog_name="ibc-xls")
