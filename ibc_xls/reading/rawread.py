"""One returned file → its sheets' raw values, read by python-calamine in this process.

No normalisation happens here: values are what the file stores (cached values for formula
cells), with their true position in the sheet. Reading an untrusted file can still crash the
process (calamine is native code), so ``collect`` calls this through ``ibc_xls.reading.isolate``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from ibc_xls.problems import IbcError
from ibc_xls.reading.biff import BiffError, scan_xls
from ibc_xls.reading.files import read_bytes
from ibc_xls.reading.sniff import Package, ReadLimits, ole_truncated, parse_xml, refuse, sniff

__all__ = ["RawSheet", "RawWorkbook", "ReadLimits", "read_raw"]

DEFAULT_LIMITS = ReadLimits()


@dataclass(frozen=True)
class RawSheet:
    """One sheet's values as read, with where they stand in the real sheet.

    ``rows`` is rectangular; ``""`` is an empty cell; values are str, int, float, bool,
    datetime.date, datetime.datetime, datetime.time or datetime.timedelta, as calamine gives
    them. Empty trailing rows and columns are trimmed, and calamine already skips empty leading
    ones, so ``rows[i][j]`` is the cell at zero-based (origin[0] + i, origin[1] + j).

    ``formulas`` holds the zero-based true coordinates of the cells that held a formula (their
    cached value is in ``rows``). ``errors`` maps the coordinates of the cells that hold an
    error value (``#N/A``, ``#DIV/0!`` …, a formula's result or a constant) to its text, which
    also stands in ``rows`` (calamine reads an error as an empty cell). Both are complete for
    xlsx, xlsm, xls and ods; they are always empty for xlsb, whose records are not scanned.
    """

    name: str
    visible: bool  # False for hidden and very hidden sheets
    origin: tuple[int, int]
    rows: list[list]
    formulas: frozenset[tuple[int, int]] = frozenset()
    errors: dict[tuple[int, int], str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class RawWorkbook:
    """A returned file as read: its format by content, its sheets in workbook order and its
    custom document properties.

    ``format`` is "xlsx", "xlsm", "xls" or "ods" (or "xlsb" for Excel's binary workbook, read as
    well). ``properties`` are the custom properties as stored, converted to str without
    reinterpretation ("7.0" stays "7.0"): docProps/custom.xml for the OOXML formats, the
    ``meta:user-defined`` fields of meta.xml for ods; always empty for xls, whose property
    streams are not read.
    """

    path: Path
    format: str
    sheets: dict[str, RawSheet]
    properties: dict[str, str]
    sha256: str = ""  # of the bytes read, which are the bytes judged
    size: int = 0
    saved: float = 0.0  # when the workbook says it was last saved (POSIX time), 0 if unknown


def read_raw(path: Path, *, limits: ReadLimits = DEFAULT_LIMITS,
             skip: frozenset[str] = frozenset()) -> RawWorkbook:
    """Read every sheet of the workbook file ``path`` but those named in ``skip`` (they are
    still checked, only their values are not read); the file is opened read-only, once.

    Raises IbcError with one problem naming the file: ``file-busy``, ``file-empty``,
    ``file-not-workbook``, ``file-html``, ``file-truncated``, ``file-encrypted``,
    ``file-unsafe``, ``file-too-large`` or ``file-unreadable``.
    """
    path = Path(path)
    try:
        data = read_bytes(path, limits.max_file_mb << 20)
        package = sniff(data, limits)
        sheets = _read_sheets(package, limits, skip)
        properties = _properties(package)
        saved = _saved(package)
    except IbcError as exc:
        problems = [p if p.file else dataclasses.replace(p, file=str(path)) for p in exc.problems]
        raise IbcError(problems) from exc
    return RawWorkbook(path, package.format, sheets, properties,
                       hashlib.sha256(data).hexdigest(), len(data), saved)


def _read_sheets(package: Package, limits: ReadLimits,
                 skip: frozenset[str]) -> dict[str, RawSheet]:
    marks = _marks(package, limits)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(package.payload))
        sheets = {}
        for meta in book.sheets_metadata:
            if meta.name in skip:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            _check_size(meta.name, sheet.height, sheet.width, limits)
            try:
                rows, start = sheet.to_python(), sheet.start
            except (KeyboardInterrupt, SystemExit, MemoryError):
                raise
            except BaseException:
                # calamine panics on a number in a date-formatted cell that is no date
                # (say -1e11): read that sheet the slow way rather than lose the workbook.
                if package.format not in ("xlsx", "xlsm"):
                    raise
                rows, start = _rows_by_openpyxl(package.payload, meta.name), (0, 0)
            formulas, errors = marks.get(meta.name, _NO_MARKS)
            if errors:
                _put_errors(rows, start, errors)
            origin, rows = _trimmed(start, rows)
            sheets[meta.name] = RawSheet(meta.name, meta.visible == _VISIBLE, origin, rows,
                                         formulas, errors)
        return sheets
    except (KeyboardInterrupt, SystemExit):
        raise
    except MemoryError:
        refuse("file-too-large", why="out-of-memory")
    except python_calamine.PasswordError:
        refuse("file-encrypted")
    except IbcError:
        raise
    except BaseException as exc:  # calamine's Rust panics arrive as BaseException
        if "limit exceeded" in str(exc):  # calamine's own cap on the cells of a sheet
            refuse("file-too-large", why="too-many-cells",
                   detail=f"{type(exc).__name__}: {exc}")
        if package.format == "xls" and ole_truncated(package.payload):
            refuse("file-truncated")
        refuse("file-unreadable", why="broken",
               detail=f"{type(exc).__name__}: {exc}")


_VISIBLE = python_calamine.SheetVisibleEnum.Visible
_NO_MARKS: tuple[frozenset, dict] = (frozenset(), {})


def _put_errors(rows: list[list], start: tuple[int, int] | None,
                errors: dict[tuple[int, int], str]) -> None:
    """Put each error value's text where calamine left its cell empty."""
    top, left = start or (0, 0)
    for (row, col), text in errors.items():
        r, c = row - top, col - left
        if 0 <= r < len(rows) and 0 <= c < len(rows[r]) and rows[r][c] == "":
            rows[r][c] = text


def _rows_by_openpyxl(payload: bytes, name: str) -> list[list]:
    """One sheet's values by openpyxl, which turns an impossible date into an error value
    (``#VALUE!``) where calamine gives up on the whole sheet."""
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(payload), read_only=True, data_only=True)
        try:
            return [["" if v is None else v for v in row]
                    for row in book[name].iter_rows(min_row=1, min_col=1, values_only=True)]
        finally:
            book.close()


def _check_size(sheet: str, height: int, width: int, limits: ReadLimits) -> None:
    """A sheet's extent against the limits: for xls before reading (from the records), and as
    the last line of defence for the formats whose extent is not checked before reading (xlsb,
    ods columns), a range calamine managed to build but that is too big to use."""
    if height > limits.max_rows:
        refuse("file-too-large", why="sheet-rows", sheet=sheet, rows=height,
               limit=limits.max_rows)
    if height * width > limits.max_cells:
        refuse("file-too-large", why="cells", sheet=sheet, cells=height * width,
               limit=limits.max_cells)


def _trimmed(start: tuple[int, int] | None, rows: list[list]) -> tuple[tuple[int, int], list]:
    """Rows without empty trailing rows and columns, and the position of rows[0][0]; calamine's
    rows are rectangular."""
    while rows and rows[-1].count("") == len(rows[-1]):
        rows.pop()
    if not rows or start is None:
        return (0, 0), []
    full = width = len(rows[0])
    while width and all(row[width - 1] == "" for row in rows):
        width -= 1
    if width < full:
        rows = [row[:width] for row in rows]
    return (start[0], start[1]), rows


# --- formula and error cells -------------------------------------------------------------------

_XLSX_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c|f)(?=[\s/>])([^>]*)>")
_XLSX_ROW = re.compile(rb'\sr="(\d+)"')
_XLSX_CELL = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')
_XLSX_ERROR = re.compile(rb'\st="e"')
_XLSX_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?v>([^<]{0,64})<")
_ODS_TAG = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*)>")
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')
_ODS_ROWS = re.compile(rb'table:number-rows-repeated="(\d+)"')
_ODS_COLS = re.compile(rb'table:number-columns-repeated="(\d+)"')
_ODS_ERROR = b'value-type="error"'  # calcext:value-type, as LibreOffice writes an error result
_ODS_TEXT = re.compile(rb"<text:p>([^<]{0,64})<")

Marks = tuple[frozenset[tuple[int, int]], dict[tuple[int, int], str]]  # formulas, errors


def _has_xlsx_formula(xml: bytes) -> bool:
    """Whether a worksheet part may hold a formula, in one fast scan: every formula Excel or
    LibreOffice writes has an ``</f>`` end tag, a shared formula at least in its first cell.
    Only a what-if data table (a lone ``<f t="dataTable" …/>``) would be missed."""
    if xml.find(b"</f>") >= 0:
        return True
    return xml.find(b":worksheet", 0, 4096) >= 0 and xml.find(b":f>") >= 0  # <x:f>…</x:f>


def _column_index(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number - 1


def _error_text(found) -> str:
    text = found.group(1).decode("utf-8", "replace").strip() if found else ""
    return html.unescape(text) if text.startswith("#") else "#ERROR"


def _xlsx_marks(xml: bytes) -> Marks:
    cells, errors = set(), {}
    row = col = -1
    for match in _XLSX_TAG.finditer(xml):
        tag, attrs = match.groups()
        if tag == b"row":
            number = _XLSX_ROW.search(attrs)
            row, col = (int(number.group(1)) - 1 if number else row + 1), -1
        elif tag == b"c":
            ref = _XLSX_CELL.search(attrs)
            if ref:
                row, col = int(ref.group(2)) - 1, _column_index(ref.group(1))
            else:
                col += 1
            if _XLSX_ERROR.search(attrs) and not attrs.endswith(b"/"):
                errors[row, col] = _error_text(_XLSX_VALUE.search(xml, match.end()))
        else:
            cells.add((row, col))
    return frozenset(cells), errors


def _ods_marks(xml: bytes, limits: ReadLimits) -> dict[str, Marks]:
    """Formula and error cells of each table of an ods content.xml, counting repeated rows and
    cells."""
    result: dict[str, Marks] = {}
    table, cells, errors, row, col, repeat = "", set(), {}, 0, 0, 1
    for match in _ODS_TAG.finditer(xml):
        closing, tag, attrs = match.groups()
        if tag == b"table":
            if closing:
                result[table] = (frozenset(cells), errors)
            else:
                name = _ODS_NAME.search(attrs)
                table = html.unescape(name.group(1).decode("utf-8", "replace")) if name else ""
                cells, errors, row = set(), {}, 0
        elif tag == b"table-row":
            if closing:
                row += repeat
            else:
                count = _ODS_ROWS.search(attrs)
                repeat, col = (int(count.group(1)) if count else 1), 0
                if attrs.endswith(b"/"):
                    row += repeat
        elif not closing:
            count = _ODS_COLS.search(attrs)
            span = int(count.group(1)) if count else 1
            if b"table:formula=" in attrs or _ODS_ERROR in attrs:
                if repeat * span > limits.max_cells:
                    refuse("file-too-large", why="formula-repeated", sheet=table,
                           cells=repeat * span)
                where = [(r, c) for r in range(row, row + repeat) for c in range(col, col + span)]
                if b"table:formula=" in attrs:
                    cells.update(where)
                if _ODS_ERROR in attrs:
                    text = _error_text(_ODS_TEXT.search(xml, match.end()))
                    errors.update((cell, text) for cell in where)
            col += span
    return result


def _marks(package: Package, limits: ReadLimits) -> dict[str, Marks]:
    """Sheet name → its formula cells and error cells; for xls, each sheet's extent is checked
    here too, before calamine builds the sheet's whole rectangle."""
    if package.format == "ods":
        content = package.part("content.xml") or b""
        wanted = b"table:formula=" in content or _ODS_ERROR in content
        return _ods_marks(content, limits) if wanted else {}
    if package.format == "xls":
        return _xls_marks(package.payload, limits)
    if package.format not in ("xlsx", "xlsm"):
        return {}
    result = {}
    candidates = [name for name, xml in package.parts.items()
                  if "worksheet" in name.casefold()
                  and (_has_xlsx_formula(xml) or xml.find(b't="e"') >= 0)]
    if candidates:
        for sheet, part in package.sheet_parts().items():
            if part in candidates:
                result[sheet] = _xlsx_marks(package.parts[part])
    return result


def _xls_marks(payload: bytes, limits: ReadLimits) -> dict[str, Marks]:
    try:
        sheets = scan_xls(payload)
    except BiffError:
        return {}  # calamine reads it or says what is wrong
    for name, sheet in sheets.items():
        _check_size(name, sheet.last_row + 1, sheet.last_col + 1, limits)
    return {name: (frozenset(s.formulas), s.errors) for name, s in sheets.items()
            if s.formulas or s.errors}


# --- custom document properties ---------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _properties(package: Package) -> dict[str, str]:
    if package.format == "ods":
        root = parse_xml(package.part("meta.xml") or b"")
        fields = [] if root is None else [e for e in root.iter() if _local(e.tag) == "user-defined"]
        return {_attr(e, "name"): "".join(e.itertext()) for e in fields}
    if package.format == "xls":
        return {}
    root = parse_xml(package.part("docProps/custom.xml") or b"")
    result = {}
    for prop in [] if root is None else root:
        if _local(prop.tag) == "property" and len(prop):
            result[prop.get("name", "")] = "".join(prop[0].itertext())
    return result


def _attr(element, name: str) -> str:
    return next((v for k, v in element.attrib.items() if _local(k) == name), "")



# The document's own "last saved" stamp: dcterms:modified in docProps/core.xml (OOXML), dc:date
# in meta.xml (ods). A search in the bytes: a few microseconds, no second XML parse.
_SAVED = {"ods": ("meta.xml", re.compile(rb"<dc:date>([^<]{10,40})</dc:date>")),
          "ooxml": ("docProps/core.xml",
                    re.compile(rb"<dcterms:modified\b[^>]*>([^<]{10,40})</dcterms:modified>"))}


def _saved(package: Package) -> float:
    """When the workbook says it was last saved, as POSIX time; 0.0 when it does not say
    (xls, or a stamp that is no date). A stamp without a zone is local time, as LibreOffice
    writes it."""
    name, pattern = _SAVED["ods" if package.format == "ods" else "ooxml"]
    match = pattern.search(package.part(name) or b"")
    if match is None:
        return 0.0
    text = match[1].decode("ascii", "replace").strip()
    text = text[:-1] + "+00:00" if text.endswith("Z") else text
    # Python 3.11 takes at most six digits of a second's fraction; LibreOffice writes nine.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        return dt.datetime.fromisoformat(text).timestamp()
    except (ValueError, OverflowError, OSError):
        return 0.0
