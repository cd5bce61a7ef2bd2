"""Reading and judging one returned workbook: what each reading worker runs. The worker imports
this module and what it needs, nothing of the run around it (``checking/check.py`` starts the
workers, shares and cross-checks the results: subprocess, threads, settings files)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ibc_xls.checking.results import FileResult
from ibc_xls.checking.validate import Context, validate_workbook
from ibc_xls.forms.layout import INSTRUCTIONS_SHEET, LISTS_SHEET, REVIEW_SHEET
from ibc_xls.forms.spec import FormSpec
from ibc_xls.problems import visible
from ibc_xls.reading.rawread import read_raw
from ibc_xls.reading.read import read_workbook


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
