"""A corpus of bad returned files, made by code (no committed binaries).

Each case is a file that staff or an attacker could put into the returned folder, with the
problem code that reading it must give. Most are made from a good workbook (``base``, the bytes
of an .xlsx) by rewriting one part; the zips are written by a small writer of our own, so that
their headers can lie.
"""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

# Workbooks saved by Microsoft Excel, from public test suites; see data/real-excel/INDEX.md.
REAL_EXCEL = Path(__file__).resolve().parent / "data" / "real-excel"
ENCRYPTED_BY_EXCEL = REAL_EXCEL / "calamine__pass_protected.xlsx"

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


@dataclass(frozen=True)
class Case:
    """One bad file: its name in the corpus, its bytes and the problem code it must give."""

    name: str
    data: bytes
    code: str


def small_xlsx() -> bytes:
    """A plain one-sheet workbook with shared strings, written by xlsxwriter."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_custom_property("ibc_xls_template", "class_teacher")
    sheet = book.add_worksheet("Лист1")
    sheet.write_row(0, 0, ["Класс", "Учащихся"])
    sheet.write_row(1, 0, ["5А", 25])
    book.close()
    return buffer.getvalue()


ODS_NAMESPACES = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
                  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
                  'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')
ODS_ROWS = ('<table:table-row><table:table-cell office:value-type="string"><text:p>5А</text:p>'
            '</table:table-cell><table:table-cell office:value-type="float" office:value="25" '
            'table:formula="of:=20+5"><text:p>25</text:p></table:table-cell></table:table-row>')


def small_ods(rows: str = ODS_ROWS, doctype: bytes = b"") -> bytes:
    """A minimal OpenDocument spreadsheet, one table «Лист1» with ``rows`` (by default 5А and a
    formula =20+5 in B1), and one user-defined property ``ibc_xls_template``."""
    content = (f'<office:document-content {ODS_NAMESPACES} office:version="1.2"><office:body>'
               f'<office:spreadsheet><table:table table:name="Лист1">{rows}</table:table>'
               "</office:spreadsheet></office:body></office:document-content>").encode()
    meta = (f"<office:document-meta {ODS_NAMESPACES}><office:meta>"
            '<meta:user-defined meta:name="ibc_xls_template" meta:value-type="float">7.0'
            "</meta:user-defined></office:meta></office:document-meta>").encode()
    return write_zip([
        Entry("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", deflate=False),
        Entry("META-INF/manifest.xml", b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                                       b'opendocument:xmlns:manifest:1.0"/>'),
        Entry("meta.xml", DECLARATION + meta),
        Entry("content.xml", DECLARATION + doctype + content)])


# --- a zip writer whose headers can lie ---------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One zip member as written: ``declared`` overrides the uncompressed size in both headers,
    ``local_name`` the name in the local header."""

    name: str
    content: bytes
    deflate: bool = True
    declared: int | None = None
    local_name: str | None = None


def write_zip(entries: list[Entry]) -> bytes:
    out, central = io.BytesIO(), []
    for entry in entries:
        body = entry.content
        if entry.deflate:
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)
            body = packer.compress(body) + packer.flush()
        size = len(entry.content) if entry.declared is None else entry.declared
        crc = zlib.crc32(entry.content)
        method = 8 if entry.deflate else 0
        name = entry.name.encode()
        local = (entry.local_name or entry.name).encode()
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, method, 0, 0x21, crc,
                              len(body), size, len(local), 0) + local + body)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, method, 0,
                                   0x21, crc, len(body), size, len(name), 0, 0, 0, 0, 0, offset)
                       + name)
    start = out.tell()
    directory = b"".join(central)
    out.write(directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries),
                                      len(directory), start, 0))
    return out.getvalue()


def parts_of(xlsx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(xlsx: bytes, replace: dict[str, bytes] | None = None, extra: tuple[Entry, ...] = (),
          overrides: dict[str, dict] | None = None) -> bytes:
    """``xlsx`` with some parts replaced and entries added; ``overrides`` maps a part name to
    Entry fields (``declared``, ``local_name``)."""
    parts = {**parts_of(xlsx), **(replace or {})}
    entries = [Entry(name, data, **(overrides or {}).get(name, {}))
               for name, data in parts.items()]
    return write_zip(entries + list(extra))


# --- an OLE (compound file) container, as Excel writes an encrypted workbook --------------------

def ole_container(streams: list[str], cut: int | None = None) -> bytes:
    """A minimal valid compound file whose root holds empty streams named ``streams``."""
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 44, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *[free] * 108)
    fat = struct.pack("<128I", fat_sector, end, *[free] * 126)

    def entry(name: str, kind: int, child: int = free, right: int = free) -> bytes:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        return (encoded.ljust(64, b"\x00") + struct.pack("<HBBIII", len(encoded), kind, 1, free,
                                                         right, child)
                + bytes(36) + struct.pack("<IQ", end, 0))

    names = ["Root Entry", *streams]
    entries = [entry("Root Entry", 5, child=1)]
    entries += [entry(n, 2, right=i + 2 if i + 2 < len(names) else free)
                for i, n in enumerate(streams)]
    directory = b"".join(entries).ljust(512 * ((len(entries) + 3) // 4), b"\x00")
    data = bytes(header) + fat + directory
    return data[:cut] if cut else data


# --- the corpus ---------------------------------------------------------------------------------

DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1
                                                  else b"&lol;" * 10) for i in range(1, 10))
          + b"]>")


def external_entity(target: str) -> bytes:
    return f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{target}">]>'.encode()


def with_prolog(xml: bytes, doctype: bytes, entity: bytes = b"", padding: int = 0) -> bytes:
    """``xml`` with ``doctype`` after its XML declaration (and ``padding`` spaces before it),
    and ``entity`` used in its first text."""
    xml = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
    return DECLARATION + b" " * padding + doctype + re.sub(rb"<t>", b"<t>" + entity, xml, count=1)


def html_table() -> bytes:
    return ('\ufeff<html xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">\n<head><meta charset="utf-8">'
            "</head><body><table><tr><td>Класс</td><td>Учащихся</td></tr>"
            "<tr><td>5А</td><td>25</td></tr></table></body></html>\n").encode()


def spreadsheet_2003() -> bytes:
    return (b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
            b'<Worksheet ss:Name="Sheet1"><Table><Row><Cell><Data ss:Type="String">1</Data>'
            b"</Cell></Row></Table></Worksheet></Workbook>")


def million_rows_claimed(sheet: bytes) -> bytes:
    """A dimension claiming the whole grid and one real cell in its last corner: without a
    check, calamine would allocate a range of 17 billion cells."""
    sheet = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    return sheet.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c>'
                                          b"</row></sheetData>")


def styled_rows(sheet: bytes, last: int = 1_048_576) -> bytes:
    """Every row down to the last one formatted, as when a whole column block is styled."""
    start = int(re.findall(rb'<row r="(\d+)"', sheet)[-1]) + 1
    rows = b"".join(b'<row r="%d" s="1" customFormat="1" ht="15"/>' % n
                    for n in range(start, last + 1))
    return sheet.replace(b"</sheetData>", rows + b"</sheetData>")


class Base:
    """The good workbook the bad files are made from, and its parts."""

    def __init__(self, xlsx: bytes):
        self.xlsx = xlsx
        self.parts = parts_of(xlsx)
        self.sheet, self.strings = self.parts[SHEET], self.parts[STRINGS]

    def rezip(self, replace=None, **kwargs) -> bytes:
        return rezip(self.xlsx, replace, **kwargs)


BOMB = b"<!-- " + b" " * (8 << 20) + b" -->"  # inflates 1,000 times

# name, expected code, how to make it from a Base
MAKERS = [
    ("пустой.xlsx", "file-empty", lambda b: b""),
    ("шум.xlsx", "file-not-workbook", lambda b: random.Random(4).randbytes(20_000)),
    ("отчёт.pdf.xlsx", "file-not-workbook", lambda b: b"%PDF-1.4\n" + bytes(2000)),
    ("недокачан.xlsx", "file-truncated", lambda b: b.xlsx[:len(b.xlsx) // 2]),
    ("пароль.xlsx", "file-encrypted",
     lambda b: ole_container(["\x06DataSpaces", "EncryptionInfo", "EncryptedPackage"])),
    ("оборванный.xls", "file-truncated", lambda b: ole_container(["Workbook"])[:1000]),
    ("документ word.xls", "file-not-workbook", lambda b: ole_container(["WordDocument"])),
    ("веб-страница.xls", "file-html", lambda b: html_table()),
    ("xml 2003.xls", "file-html", lambda b: spreadsheet_2003()),
    ("word.xlsx", "file-not-workbook",
     lambda b: write_zip([Entry("[Content_Types].xml", b"<Types/>"),
                          Entry("word/document.xml", b"<document/>")])),
    ("бомба.xlsx", "file-too-large",
     lambda b: b.rezip({STRINGS: b.strings.replace(b"?>", b"?>" + BOMB, 1)})),
    ("бомба лжёт.xlsx", "file-too-large",
     lambda b: b.rezip({STRINGS: b.strings.replace(b"?>", b"?>" + BOMB, 1)},
                       overrides={STRINGS: {"declared": len(b.strings)}})),
    ("чуть больше.xlsx", "file-unreadable",  # runs on a little: damage, not a lie
     lambda b: b.rezip({SHEET: b.sheet + b" " * 2000}, overrides={SHEET: {"declared":
                                                                           len(b.sheet)}})),
    ("обещает гигабайт.xlsx", "file-too-large",
     lambda b: b.rezip(overrides={SHEET: {"declared": 1 << 30}})),
    ("смех.xlsx", "file-unsafe",
     lambda b: b.rezip({STRINGS: with_prolog(b.strings, LAUGHS, b"&lol9;")})),
    ("внешняя сущность.xlsx", "file-unsafe",
     lambda b: b.rezip({STRINGS: with_prolog(b.strings, external_entity("file:///etc/passwd"),
                                             b"&xxe;")})),
    ("сущность в свойствах.xlsx", "file-unsafe",
     lambda b: b.rezip({"docProps/custom.xml": with_prolog(
         b.parts["docProps/custom.xml"], external_entity("file:///etc/passwd"))})),
    ("doctype далеко.xlsx", "file-unsafe",
     lambda b: b.rezip({STRINGS: with_prolog(b.strings, LAUGHS, b"&lol9;", padding=8000)})),
    ("два имени.xlsx", "file-unsafe", lambda b: b.rezip(extra=(Entry(SHEET, b.sheet),))),
    ("абсолютный путь.xlsx", "file-unsafe",
     lambda b: b.rezip(extra=(Entry("/etc/cron.d/evil", b"x"),))),
    ("точки.xlsx", "file-unsafe",
     lambda b: b.rezip(extra=(Entry("xl/../../evil.xml", b"<x/>"),))),
    ("имена расходятся.xlsx", "file-unreadable",
     lambda b: b.rezip(overrides={"xl/workbook.xml": {"local_name": "xl/other.xml"}})),
    ("миллион строк.xlsx", "file-too-large",
     lambda b: b.rezip({SHEET: million_rows_claimed(b.sheet)})),
    ("оформлено до конца.xlsx", "file-too-large",
     lambda b: b.rezip({SHEET: styled_rows(b.sheet)})),
    ("ods под паролем.ods", "file-encrypted",
     lambda b: write_zip([
         Entry("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", deflate=False),
         Entry("META-INF/manifest.xml", b"<manifest:manifest><manifest:file-entry>"
                                        b"<manifest:encryption-data/></manifest:file-entry>"
                                        b"</manifest:manifest>"),
         Entry("content.xml", random.Random(5).randbytes(3000))])),
    ("ods doctype.ods", "file-unsafe",
     lambda b: small_ods(doctype=LAUGHS)),
    ("xls до края листа.xls", "file-too-large",  # 5 KB that calamine makes 1 GB of
     lambda b: tiny_xls(biff_number(0, 0, 1) + biff_number(65535, 255, 1))),
    ("ods миллион строк.ods", "file-too-large",
     lambda b: small_ods(rows='<table:table-row table:number-rows-repeated="1048576">'
                              '<table:table-cell office:value-type="float" office:value="1">'
                              "<text:p>1</text:p></table:table-cell></table:table-row>")),
]
NAMES = [name for name, _, _ in MAKERS]


def corpus(base: bytes) -> list[Case]:
    """Every bad file, made from ``base`` (an .xlsx whose first sheet, shared strings and
    custom properties exist)."""
    source = Base(base)
    return [Case(name, make(source), code) for name, code, make in MAKERS]


def write(folder: Path, cases: list[Case]) -> dict[Path, str]:
    """Write the cases into ``folder``; return each file's path with its expected code."""
    folder.mkdir(parents=True, exist_ok=True)
    result = {}
    for case in cases:
        path = folder / case.name
        path.write_bytes(case.data)
        result[path] = case.code
    return result


# --- a minimal .xls (BIFF8) written by hand, so that its records can say anything ---------------

def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def biff_number(row: int, col: int, value: float) -> bytes:
    return _record(0x0203, struct.pack("<HHHd", row, col, 0, value))


def biff_error(row: int, col: int, code: int = 0x2A) -> bytes:
    """A constant error value (BOOLERR), as Excel stores «#N/A» pasted as a value."""
    return _record(0x0205, struct.pack("<HHHBB", row, col, 0, code, 1))


def biff_formula(row: int, col: int, value: float | None = None, error: int | None = None) -> bytes:
    """A FORMULA record with a cached number or error and the parsed formula ``=1`` (ptgInt)."""
    result = (struct.pack("<d", value or 0.0) if error is None
              else struct.pack("<BBBBHH", 2, 0, error, 0, 0, 0xFFFF))
    tokens = b"\x1e\x01\x00"
    return _record(0x0006, struct.pack("<HHH", row, col, 0) + result
                   + struct.pack("<HI", 0, 0) + struct.pack("<H", len(tokens)) + tokens)


def tiny_xls(cells: bytes, sheet: str = "Лист1") -> bytes:
    """An .xls workbook of one worksheet ``sheet`` holding the BIFF cell records ``cells``."""
    bof_globals = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
    bof_sheet = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6))
    name = sheet.encode("utf-16-le")
    codepage = _record(0x0042, struct.pack("<H", 1200))

    def boundsheet(offset: int) -> bytes:
        return _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(sheet), 1) + name)

    eof = _record(0x000A, b"")
    head = bof_globals + codepage
    offset = len(head) + len(boundsheet(0)) + len(eof)
    stream = head + boundsheet(offset) + eof + bof_sheet + cells + eof
    return ole_file({"Workbook": stream.ljust(4096, b"\x00")})


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A compound file whose root holds ``streams``, each of 4096 bytes or more (so that they
    live in regular sectors, not in the mini stream)."""
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    chains, sectors, next_sector = [], [], 2
    for data in streams.values():
        count = -(-len(data) // 512)
        chains.append((next_sector, len(data)))
        sectors += [next_sector + i + 1 for i in range(count - 1)] + [end]
        next_sector += count
    fat = [fat_sector, end, *sectors]
    if len(fat) > 128:
        raise ValueError("ole_file writes at most 126 sectors of streams")
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 44, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *[free] * 108)

    def entry(name: str, kind: int, start: int, size: int, child: int = free,
              right: int = free) -> bytes:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        return (encoded.ljust(64, b"\x00") + struct.pack("<HBBIII", len(encoded), kind, 1, free,
                                                         right, child)
                + bytes(36) + struct.pack("<IQ", start, size))

    names = list(streams)
    entries = [entry("Root Entry", 5, end, 0, child=1)]
    entries += [entry(n, 2, chains[i][0], chains[i][1],
                      right=i + 2 if i + 1 < len(names) else free) for i, n in enumerate(names)]
    directory = b"".join(entries).ljust(512, b"\x00")
    body = b"".join(data.ljust(-(-len(data) // 512) * 512, b"\x00") for data in streams.values())
    return (bytes(header) + struct.pack("<128I", *fat, *[free] * (128 - len(fat))) + directory
            + body)
