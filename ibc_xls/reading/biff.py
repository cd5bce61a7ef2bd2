"""What python-calamine does not tell about an .xls workbook, from its BIFF records: which cells
hold a formula, which hold an error value (``#N/A`` …), and how far each sheet's cells reach.

calamine gives a formula's cached value and an error as an empty cell, and builds a sheet's
whole rectangle before anything can check its size. One pass over the Workbook stream's record
headers answers all three; only cell records are looked into. The stream comes from olefile,
which is made for reading hostile compound files.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field

import olefile

_BOF, _EOF, _BOUNDSHEET, _CODEPAGE = 0x0809, 0x000A, 0x0085, 0x0042
_FORMULA, _BOOLERR = 0x0006, 0x0205
# Records of one cell that start with its row and column (two 16-bit numbers).
_CELLS = frozenset({0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6})
_MULTI = frozenset({0x00BD, 0x00BE})  # MULRK, MULBLANK: row, first column, …, last column

ERROR_TEXTS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!",
               0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
_HEADER = struct.Struct("<HH")
_CELL = struct.Struct("<HH")


@dataclass
class BiffSheet:
    """One sheet's cells as its records place them (zero-based row, column)."""

    formulas: set[tuple[int, int]] = field(default_factory=set)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    last_row: int = -1
    last_col: int = -1


class BiffError(ValueError):
    """The stream is not what an .xls workbook holds; calamine will say what is wrong."""


def scan_xls(data: bytes) -> dict[str, BiffSheet]:
    """Sheet name → its formulas, errors and extent, for the worksheets of an .xls file."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if name is None:
                raise BiffError("no Workbook stream")
            stream = ole.openstream(name).read()
        return _scan(stream)
    except (OSError, ValueError, IndexError, struct.error) as exc:  # damage, here or olefile's
        raise BiffError(str(exc)) from exc


def _scan(stream: bytes) -> dict[str, BiffSheet]:
    offsets: dict[int, str] = {}
    codepage = "cp1251"
    at, end = 0, len(stream)
    # The workbook globals: the sheets' names and where their records start.
    while at + 4 <= end:
        kind, size = _HEADER.unpack_from(stream, at)
        body = at + 4
        if kind == _CODEPAGE and size >= 2:
            number = int.from_bytes(stream[body:body + 2], "little")
            codepage = "cp1251" if number in (1200, 0x8000, 0x8001) else f"cp{number}"
        elif kind == _BOUNDSHEET and size >= 8:
            offset = int.from_bytes(stream[body:body + 4], "little")
            if stream[body + 5] == 0:  # a worksheet, not a chart or macro sheet
                offsets[offset] = _sheet_name(stream[body + 6:body + size], codepage)
        at = body + size
        if kind == _EOF:
            break
    # A sheet's records end where the next sheet's begin: each record is looked at once, however
    # many sheets a hostile file claims.
    starts = sorted(offsets)
    return {offsets[start]: _scan_sheet(stream, start, ends)
            for start, ends in zip(starts, [*starts[1:], len(stream)], strict=True)}


def _sheet_name(raw: bytes, codepage: str) -> str:
    if len(raw) < 2:
        return ""
    count = raw[0]
    if len(raw) >= 2 + count and raw[1] in (0, 1):  # BIFF8: a flags byte, then the characters
        if raw[1] & 1:
            return raw[2:2 + 2 * count].decode("utf-16-le", "replace")
        return raw[2:2 + count].decode("latin-1")
    try:  # BIFF5: bytes in the workbook's code page
        return raw[1:1 + count].decode(codepage, "replace")
    except LookupError:
        return raw[1:1 + count].decode("cp1251", "replace")


def _scan_sheet(stream: bytes, at: int, end: int) -> BiffSheet:
    sheet = BiffSheet()
    if at + 4 > end or _HEADER.unpack_from(stream, at)[0] != _BOF:
        raise BiffError(f"no sheet at offset {at}")
    last_row = last_col = -1
    depth = 0  # a chart embedded in the sheet has its own BOF … EOF
    while at + 4 <= end:
        kind, size = _HEADER.unpack_from(stream, at)
        body = at + 4
        at = body + size
        if kind in _CELLS and size >= 4:
            row, col = _CELL.unpack_from(stream, body)
            if kind == _FORMULA:
                sheet.formulas.add((row, col))
                # The cached result: an error when its last two bytes are 0xFFFF and its
                # first byte is 2; the error's code is its third byte.
                if size >= 14 and stream[body + 12:body + 14] == b"\xff\xff" and \
                        stream[body + 6] == 2:
                    sheet.errors[row, col] = ERROR_TEXTS.get(stream[body + 8], "#ERROR")
            elif kind == _BOOLERR and size >= 8 and stream[body + 7] == 1:
                sheet.errors[row, col] = ERROR_TEXTS.get(stream[body + 6], "#ERROR")
        elif kind in _MULTI and size >= 6:
            row, col = _CELL.unpack_from(stream, body)
            col = max(col, int.from_bytes(stream[at - 2:at], "little"))
        else:
            if kind == _BOF:
                depth += 1
            elif kind == _EOF:
                depth -= 1
                if depth <= 0:
                    break
            continue
        last_row, last_col = max(last_row, row), max(last_col, col)
    sheet.last_row, sheet.last_col = last_row, last_col
    return sheet
