"""Checking returned workbooks: find them, read each one in isolation, judge it, then judge
the files against each other. Used by ``validate`` and ``collect``. What a worker does with
one file is ``checking/onefile.py``'s ``check_file``."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path

from ibc_xls.checking.onefile import check_file, display_name
from ibc_xls.checking.results import FileResult, Report, ValueTable
from ibc_xls.checking.validate import Context, check_across
from ibc_xls.problems import Problem, in_folder
from ibc_xls.reading.files import find_workbooks, folder_unreadable
from ibc_xls.reading.isolate import prestart, run_isolated
from ibc_xls.settings.config import Config, not_returns
from ibc_xls.settings.periods import reporting_date
from ibc_xls.settings.respondents import respondents


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
