"""Checking returned workbooks: find them, read each one in isolation, judge it, then judge
the files against each other. Used by ``validate`` and ``collect``."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path

from ibc_xls.checking.results import FileResult, Report, ValueTable
from ibc_xls.checking.validate import Context, check_across, validate_workbook
from ibc_xls.forms.layout import INSTRUCTIONS_SHEET, LISTS_SHEET, REVIEW_SHEET
from ibc_xls.forms.spec import FormSpec
from ibc_xls.problems import Problem, in_folder, visible
from ibc_xls.reading.files import find_workbooks, folder_unreadable
from ibc_xls.reading.isolate import prestart, run_isolated
from ibc_xls.reading.rawread import read_raw
from ibc_xls.reading.read import read_workbook
from ibc_xls.settings.config import Config, not_returns
from ibc_xls.settings.periods import reporting_date
from ibc_xls.settings.respondents import respondents


def display_name(path: Path, base: Path) -> str:
    """How a file is named in messages: relative to the working folder where it lies there,
    with control characters and bytes that are not UTF-8 made visible."""
    try:
        # realpath, not Path.resolve: on a link that points to itself resolve raises (before
        # Python 3.13) where the reading would say what is wrong with the file.
        return visible(str(Path(os.path.realpath(path)).relative_to(base)))
    except ValueError:
        return visible(str(path))


# The template's own sheets, and the first sheet of a copy for correction: nothing staff write
# there is taken, and the instructions' long texts cost a fifth of the reading time.
_NOT_READ = frozenset({INSTRUCTIONS_SHEET, LISTS_SHEET, REVIEW_SHEET})


def check_file(path: Path, specs: dict[str, FormSpec], ctx: Context, base: Path) -> FileResult:
    """Read and judge one file. Runs in a child process; raises IbcError for a bad file."""
    name = display_name(path, base)
    raw = read_raw(path, skip=_NOT_READ)
    modified = path.stat().st_mtime
    # A date typed before the book was saved had come when it was typed. The later of the
    # book's own stamp and the file's time: an application that leaves the stamp as it was
    # in the blank must not make every date typed since look like the future.
    saved = dt.date.fromtimestamp(max(raw.saved, modified))
    result = validate_workbook(read_workbook(raw, specs, name), ctx, saved)
    result.sha256, result.size = raw.sha256, raw.size
    result.modified, result.saved = modified, raw.saved
    return result


def _share(result: FileResult, shared: dict[str, str], values: ValueTable) -> None:
    """Keep once the strings that every file repeats (form ids, sheets, column keys, identity
    fields) and the values of rows that repeat across files: each file's result arrives with
    its own copies, and a collect of 10,000 files would hold them 10,000 times."""
    one = shared.setdefault
    result.format = one(result.format, result.format)
    result.identity = {one(k, k): one(v, v) for k, v in result.identity.items()}
    for form in result.forms.values():
        form.form_id, form.sheet = one(form.form_id, form.form_id), one(form.sheet, form.sheet)
        form.columns = {one(k, k): c for k, c in form.columns.items()}
        form.share(values)
    result.forms = {one(k, k): f for k, f in result.forms.items()}


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector. Results arriving from the workers, and the report's
    tables built from them, are many small acyclic objects: full collections would walk all
    of them again and again (5–20 % of a large run) and find no garbage. Reference counting
    still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _unreadable_folder(folder: Path, exc: OSError, base: Path, named: list[Path]) -> FileResult:
    """A folder that could not be listed: its books are unknown, so it is an error; when it
    is a folder the user named, nothing can be checked at all and the command stops."""
    name = display_name(folder, base)
    if folder in named:
        raise folder_unreadable(folder, exc)
    return FileResult(name, problems=[folder_unreadable(folder, exc, name).problems[0]])


def check_paths(paths: Iterable[Path], config: Config, as_of: dt.date | None = None,
                workers: int | None = None,
                progress: Callable[[int, int], None] | None = None) -> Report:
    """Check every workbook found under ``paths`` against the school's configuration, judging
    dates as of ``as_of`` (by default today, or the academic year's last day if earlier);
    ``progress(done, total)`` is called as files finish."""
    prestart(check_file, workers)
    specs = config.specs()
    people = respondents(config, specs)
    as_of = as_of or reporting_date(dt.date.today(), academic_year=config.academic_year)
    ctx = Context.of(config, [p.id for p in people], as_of)
    by_id = {s.id: s for s in specs}
    paths = [Path(p) for p in paths]
    unreadable: list[tuple[Path, OSError]] = []
    files = find_workbooks(paths, exclude=not_returns(config), unreadable=unreadable)
    results = [_unreadable_folder(folder, exc, config.root, paths)
               for folder, exc in unreadable]
    work = partial(check_file, specs=by_id, ctx=ctx, base=config.root)
    shared: dict[str, str] = {}
    values = ValueTable()
    returned = display_name(config.folders["returned"], config.root)
    # closing(): on Ctrl+C here the workers are stopped now, not when the generator is
    # collected (the traceback holds it, and the cycle collector is paused).
    with gc_paused(), contextlib.closing(run_isolated(files, work, workers=workers)) as outcomes:
        for done, (path, outcome) in enumerate(outcomes, 1):
            if progress:
                progress(done, len(files))
            if isinstance(outcome, Problem):
                name = display_name(path, config.root)
                outcome = FileResult(name, problems=[in_folder(outcome, name, returned)],
                                     modified=_mtime(path))
            _share(outcome, shared, values)
            results.append(outcome)
        results.sort(key=lambda r: r.file)
        check_across(results)
        for result in results:
            for form in result.forms.values():
                form.keys = {}  # what check_across needed; a collect needs the memory
    return Report(results, as_of)
