"""What a returned file really is, and whether it is safe to give to the reader.

Everything here works on the file's bytes and costs little next to reading the values: the type
comes from the content (a zip package, an OLE container, a web page), never from the extension.
A zip package is checked before python-calamine sees it: a sane central directory, no duplicate,
absolute or ``..`` member names, no overlapping members, bounded declared sizes and compression
ratios. The parts the reader parses are inflated here with a cap, so a deflate stream that lies
about its size stops at the size it declared; each XML part must start with its root element (no
DOCTYPE, so no entities), and a sheet that claims or uses more rows or cells than the limits is
refused before calamine allocates a range for it. The reader then gets the package rebuilt from
what was checked, with those parts stored uncompressed: it cannot see anything else, and it does
not inflate them a second time (which pays for inflating them here).

An OLE container is told apart as an encrypted OOXML package (EncryptionInfo, EncryptedPackage),
an .xls workbook (Workbook or Book stream) or something else; nothing inside an .xls is checked.
"""

from __future__ import annotations

import itertools
import posixpath
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import NamedTuple, NoReturn

import defusedxml.ElementTree as SafeET

from ibc_xls.cells import column_number
from ibc_xls.problems import IbcError, Problem
from ibc_xls.text import Sniffed as S

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"

# Parts of an OOXML package that python-calamine never parses: not inflated, only size-checked.
_UNREAD = ("xl/theme/", "xl/drawings/", "xl/charts/", "xl/media/", "xl/printersettings/",
           "xl/embeddings/", "xl/activex/", "xl/ctrlprops/", "xl/diagrams/", "customxml/",
           "docprops/app.xml", "xl/vbaproject.bin")  # core.xml: when the book was saved
_ODS_READ = ("content.xml", "meta.xml", "meta-inf/manifest.xml")
_PROLOG_WINDOW = 4096
_BIG_MEMBER = 1 << 20
_SHEET_ROOTS = (b"worksheet", b"macrosheet", b"dialogsheet")

_NAME = re.compile(rb"[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?")
_DIMENSION = re.compile(rb'dimension\s+ref="([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?"')
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_PREFIX = re.compile(rb"(?:[A-Za-z_][\w.\-]*:)?")
_ODS_REPEATED_ROWS = re.compile(rb'table:number-rows-repeated="(\d+)"')
_ODS_TABLE_NAME = re.compile(rb'<table:table\s[^>]*?table:name="([^"]*)"')


@dataclass(frozen=True)
class ReadLimits:
    """What a returned workbook may hold before it is refused as ``file-too-large``.

    A school's workbook is well under a megabyte; the defaults leave room for photos and for
    thousands of rows, and still keep one file far below a worker's memory limit.
    """

    max_file_mb: int = 100
    max_unpacked_mb: int = 200  # declared uncompressed size of all zip members together
    max_ratio: int = 200  # compression ratio refused for a member of more than 1 MB
    max_members: int = 10_000
    max_rows: int = 100_000  # last used row of a sheet
    max_cells: int = 2_000_000  # rows × columns of a sheet's used range


@dataclass
class Package:
    """A sniffed file: its format, and for a zip package its inflated, checked parts."""

    format: str  # xlsx | xlsm | xlsb | xls | ods
    payload: bytes = b""  # what the reader gets: the checked and repacked zip, or the file
    parts: dict[str, bytes] = field(default_factory=dict)  # zip member name → content
    _sheet_parts: dict[str, str] | None = field(default=None, repr=False)

    def part(self, name: str) -> bytes | None:
        """A part by name, compared case-insensitively as OPC part names are."""
        if name in self.parts:
            return self.parts[name]
        folded = name.casefold()
        return next((v for k, v in self.parts.items() if k.casefold() == folded), None)

    def sheet_parts(self) -> dict[str, str]:
        """OOXML: sheet name → worksheet part name, from the workbook and its relationships."""
        if self._sheet_parts is None:
            self._sheet_parts = _sheet_parts(self)
        return self._sheet_parts


def refuse(code: str, **params) -> NoReturn:
    """Stop reading with one problem; the reader adds the file's name."""
    raise IbcError(Problem(code, params=params))


def sniff(data: bytes, limits: ReadLimits = ReadLimits()) -> Package:
    """The format of a file's content, after the checks above; raises IbcError otherwise."""
    if not data:
        refuse("file-empty")
    if data.startswith(ZIP_MAGIC):
        return _zip_package(data, limits)
    if data.startswith(OLE_MAGIC):
        return _ole_package(data)
    if data.startswith(b"PK\x05\x06"):
        refuse("file-not-workbook", what=S.EMPTY_ZIP)
    if _is_web_page(data):
        refuse("file-html")
    refuse("file-not-workbook", what=_describe(data))


# --- what a file that is not a workbook looks like --------------------------------------------

def _head_text(data: bytes) -> str:
    head = data[:2048]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "replace")
    return head.decode("utf-8", "replace").lstrip("\ufeff")


def _is_web_page(data: bytes) -> bool:
    text = _head_text(data).lstrip().lower()
    if text.startswith(("<html", "<!doctype html", "<table", "<head", "<meta", "<body",
                        "<style", "mime-version:")):
        return True
    # Excel's "XML Spreadsheet 2003" and HTML with an XML declaration or a leading comment.
    return text.startswith(("<?xml", "<!--")) and (
        "<html" in text or "urn:schemas-microsoft-com:office:spreadsheet" in text
        or "progid=\"excel.sheet\"" in text)


_MAGICS = ((b"%PDF", S.PDF), (b"\x89PNG", S.IMAGE), (b"\xff\xd8\xff", S.IMAGE),
           (b"GIF8", S.IMAGE), (b"{\\rtf", S.RTF), (b"Rar!", S.RAR),
           (b"7z\xbc\xaf", S.SEVEN_ZIP), (b"\x1f\x8b", S.GZIP))


def _describe(data: bytes) -> str:
    for magic, what in _MAGICS:
        if data.startswith(magic):
            return what
    head = data[:4096]
    if b"\x00" not in head and head.decode("utf-8", "replace").count("\ufffd") < len(head) // 50:
        return S.TEXT
    return S.UNKNOWN


# --- OLE (Compound File Binary) containers ------------------------------------------------------

def _ole_has(data: bytes, name: str) -> bool:
    """Whether a directory entry named ``name`` exists: entries are 128-byte records at offsets
    that are multiples of 128, starting with the UTF-16LE name and its byte length at +64."""
    wanted = name.encode("utf-16-le") + b"\x00\x00"
    at = data.find(wanted, 512)
    while at >= 0:
        if at % 128 == 0 and int.from_bytes(data[at + 64:at + 66], "little") == len(wanted):
            return True
        at = data.find(wanted, at + 2)
    return False


def ole_truncated(data: bytes) -> bool:
    """Whether an OLE container is cut off: it is not a whole number of sectors, or its header
    points to FAT or directory sectors beyond its end."""
    if len(data) < 512:
        return True
    shift = int.from_bytes(data[30:32], "little")
    if shift not in (9, 12):
        return False
    sector = 1 << shift
    body = len(data) - max(sector, 512)
    if body < 0 or body % sector:
        return True
    sectors = body // sector
    first_dir = int.from_bytes(data[48:52], "little")
    fat = [int.from_bytes(data[76 + 4 * i:80 + 4 * i], "little") for i in range(109)]
    used = [s for s in (first_dir, *fat) if s < 0xFFFFFFFA]
    return any(s >= sectors for s in used)


def _ole_package(data: bytes) -> Package:
    if _ole_has(data, "EncryptedPackage") or _ole_has(data, "EncryptionInfo"):
        refuse("file-encrypted")
    if ole_truncated(data):
        refuse("file-truncated")
    if _ole_has(data, "Workbook") or _ole_has(data, "Book"):
        return Package("xls", data)
    if _ole_has(data, "WordDocument"):
        refuse("file-not-workbook", what=S.WORD)
    refuse("file-not-workbook", what=S.OLE_NOT_EXCEL)


# --- zip packages (xlsx, xlsm, xlsb, ods) -------------------------------------------------------

_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_EOCD64 = struct.Struct("<IQHHIIQQQQ")


class _Member(NamedTuple):
    """One entry of a zip's central directory: what every zip reader goes by."""

    name: str
    raw_name: bytes
    flags: int
    method: int
    crc: int
    packed: int  # compressed size
    size: int  # declared uncompressed size
    offset: int  # of the local header


def _mb(size: int) -> str:
    return S.MB.format(size=size / 2**20) if size >= 2**20 else S.KB.format(size=size / 1024)


def _broken(detail: str) -> NoReturn:
    refuse("file-unreadable", why="zip-broken", detail=detail)


def _zip64_fields(extra: bytes, want: int) -> list[int]:
    """The 64-bit sizes and offset an entry's zip64 extra field holds (``want`` of them)."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, at)
        if kind == 1:
            if length < 8 * want:
                break
            return list(struct.unpack_from(f"<{want}Q", extra, at + 4))
        at += 4 + length
    _broken("zip64 field missing")


def _central_directory(data: bytes, limits: ReadLimits) -> list[_Member]:
    """The central directory, parsed directly: it must lie where the end record says, with no
    data before the first member (as every spreadsheet application writes it)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if end < 0 or len(data) - end < 22:
        refuse("file-truncated")
    _, _, _, _, count, cd_size, cd_offset, _ = struct.unpack_from("<IHHHHIIH", data, end)
    if count == 0xFFFF or 0xFFFFFFFF in (cd_size, cd_offset):
        locator = end - 20
        if locator < 0 or data[locator:locator + 4] != b"PK\x06\x07":
            _broken("zip64 locator missing")
        at = struct.unpack_from("<Q", data, locator + 8)[0]
        if data[at:at + 4] != b"PK\x06\x06" or at + _EOCD64.size > len(data):
            _broken("zip64 end record missing")
        *_, count, cd_size, cd_offset = _EOCD64.unpack_from(data, at)
        end = at
    if cd_offset + cd_size != end or count * 46 > cd_size:
        _broken(f"{count} entries at {cd_offset}+{cd_size}, end record at {end}")
    if count > limits.max_members:
        refuse("file-too-large", why="parts", count=count, limit=limits.max_members)
    members, at = [], cd_offset
    for _ in range(count):
        if at + 46 > end or data[at:at + 4] != b"PK\x01\x02":
            _broken(f"bad central directory entry at {at}")
        (_, _, _, flags, method, _, _, crc, packed, size, name_len, extra_len, comment_len, _, _,
         _, offset) = _CENTRAL.unpack_from(data, at)
        raw_name = data[at + 46:at + 46 + name_len]
        wide = [v == 0xFFFFFFFF for v in (size, packed, offset)]
        if any(wide):
            extra = data[at + 46 + name_len:at + 46 + name_len + extra_len]
            values = iter(_zip64_fields(extra, sum(wide)))
            size, packed, offset = (next(values) if w else v
                                    for v, w in zip((size, packed, offset), wide, strict=True))
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        members.append(_Member(name, raw_name, flags, method, crc, packed, size, offset))
        at += 46 + name_len + extra_len + comment_len
    return [m for m in members if not m.name.endswith("/")]


def _check_names(members: list[_Member]) -> None:
    seen: set[str] = set()
    for member in members:
        name = member.name
        if name.startswith(("/", "\\")) or name[1:2] == ":":
            refuse("file-unsafe", why="absolute-path", name=name)
        if ".." in name and ".." in name.replace("\\", "/").split("/"):
            refuse("file-unsafe", why="parent-path", name=name)
        if "\x00" in name:
            refuse("file-unsafe", why="nul-in-name", name=name)
        folded = name.casefold()
        if folded in seen:
            refuse("file-unsafe", why="same-name", name=name)
        seen.add(folded)


def _member_spans(data: bytes, members: list[_Member]) -> dict[str, tuple[int, int]]:
    """Where each member's compressed bytes lie, from its local header, checked against the
    central directory: the same name, inside the file, and no two members overlapping."""
    spans = {}
    for member in members:
        at = member.offset
        if data[at:at + 4] != ZIP_MAGIC or at + 30 > len(data):
            _broken(f"no local header for {member.name}")
        name_len, extra_len = struct.unpack_from("<HH", data, at + 26)
        if data[at + 30:at + 30 + name_len] != member.raw_name:
            # Harmless once repacked (the reader sees only the central directory's names),
            # so most likely damage rather than an attack.
            _broken(f"local and central names differ for {member.name}")
        start = at + 30 + name_len + extra_len
        spans[member.name] = (start, start + member.packed)
    ordered = sorted((m.offset, spans[m.name][1]) for m in members)
    for (_, end), (next_start, _) in itertools.pairwise(ordered):
        if next_start < end:
            refuse("file-unsafe", why="overlap")
    if ordered and ordered[-1][1] > len(data):
        refuse("file-truncated")
    return spans


def _check_sizes(members: list[_Member], limits: ReadLimits) -> None:
    total = sum(m.size for m in members)
    if total > limits.max_unpacked_mb << 20:
        refuse("file-too-large", why="unpacked", size=_mb(total), limit=limits.max_unpacked_mb)
    for member in members:
        ratio = member.size / max(member.packed, 1)
        if member.size > _BIG_MEMBER and ratio > limits.max_ratio:
            refuse("file-too-large", why="ratio", name=member.name, ratio=ratio)


def _inflate(data: bytes, member: _Member, span: tuple[int, int]) -> bytes:
    """A member's content, never more than the size it declares."""
    if member.flags & 0x1:
        refuse("file-encrypted")
    raw = data[span[0]:span[1]]
    if member.method == 0:  # stored
        content = raw[:member.size + 1]
    elif member.method == 8:  # deflated
        inflater = zlib.decompressobj(-15)
        try:
            content = inflater.decompress(raw, member.size + 1)
            if len(content) > member.size:
                # A damaged stream may run on a little; a lying one goes on and on.
                more = inflater.decompress(inflater.unconsumed_tail, _BIG_MEMBER)
                if len(more) == _BIG_MEMBER:
                    refuse("file-too-large", why="past-size", name=member.name)
        except zlib.error as exc:
            _broken(f"{member.name}: {exc}")
    else:
        refuse("file-unreadable", why="compression",
               detail=f"compression method {member.method} in {member.name}")
    if len(content) > member.size:
        _broken(f"{member.name} inflates past its declared size")
    if len(content) < member.size:
        refuse("file-truncated")
    return content


def _root_name(name: str, xml: bytes) -> bytes:
    """The local name of an XML part's root element. Refuses a DOCTYPE (and so any entity) and
    a prolog that hides what follows it."""
    head = xml[:_PROLOG_WINDOW]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "replace").encode()
    at = 0
    while True:
        at = head.find(b"<", at)
        if at < 0:
            break
        if head.startswith(b"<?", at):
            at = head.find(b"?>", at + 2)
        elif head.startswith(b"<!--", at):
            at = head.find(b"-->", at + 4)
        elif head.startswith(b"<!", at):
            refuse("file-unsafe", why="doctype", name=name)
        else:
            match = _NAME.match(head, at + 1)
            if match:
                return match.group().rpartition(b":")[2]
            break
        if at < 0:
            break
    if len(xml) > _PROLOG_WINDOW:
        refuse("file-unsafe", why="odd-start", name=name)
    refuse("file-unreadable", why="not-xml", detail=name)


def _check_sheet(package: Package, name: str, xml: bytes, limits: ReadLimits) -> None:
    """Refuse a worksheet that claims (``<dimension>``) or reaches (its last ``<row>``) more rows
    or cells than the limits allow."""
    rows = cols = 0
    match = _DIMENSION.search(xml, 0, 16384)
    if match:
        last_col, last_row = (match.group(3), match.group(4)) if match.group(3) else \
            (match.group(1), match.group(2))
        rows, cols = int(last_row), column_number(last_col.decode())
    end = len(xml)
    while True:  # the last row element (rows are in ascending order in a valid sheet)
        at = xml.rfind(b"row", 0, end)
        if at < 1:
            break
        start = xml.rfind(b"<", max(0, at - 32), at)
        prefix = xml[start + 1:at] if start >= 0 else b"/"
        if _PREFIX.fullmatch(prefix) and xml[at + 3:at + 4] in (b" ", b">", b"/"):
            number = _ROW_NUMBER.search(xml, at, xml.find(b">", at))
            if number:
                rows = max(rows, int(number.group(1)))
            break
        end = at
    if rows > limits.max_rows or rows * cols > limits.max_cells:
        sheet = next((s for s, p in package.sheet_parts().items() if p == name), name)
        if rows > limits.max_rows:
            refuse("file-too-large", why="rows", sheet=sheet, rows=rows, limit=limits.max_rows)
        refuse("file-too-large", why="cells", sheet=sheet, cells=rows * cols,
               limit=limits.max_cells)


def _check_ods(content: bytes, limits: ReadLimits) -> None:
    """Refuse a table row with values repeated past the row limit. LibreOffice repeats an
    empty row down to the end of every sheet; that one is fine."""
    for match in _ODS_REPEATED_ROWS.finditer(content):
        if int(match.group(1)) <= limits.max_rows:
            continue
        row = content[match.end():content.find(b"</table:table-row>", match.end())]
        if b"office:value" in row or b"<text:p" in row:
            names = _ODS_TABLE_NAME.findall(content, 0, match.start())
            sheet = names[-1].decode("utf-8", "replace") if names else ""
            refuse("file-too-large", why="rows", sheet=sheet, rows=int(match.group(1)),
                   limit=limits.max_rows)


def _ooxml_format(content_types: bytes | None) -> str | None:
    if content_types is None:
        return None
    if b"sheet.binary.macroEnabled.main" in content_types:
        return "xlsb"
    if b"macroEnabled.main+xml" in content_types and b"ms-excel" in content_types:
        return "xlsm"
    if b"spreadsheetml.sheet.main+xml" in content_types or \
            b"spreadsheetml.template.main+xml" in content_types:
        return "xlsx"
    return None


def _foreign_zip(names: set[str]) -> str:
    if "word/document.xml" in names:
        return S.WORD
    if "ppt/presentation.xml" in names:
        return S.POWERPOINT
    if "mimetype" in names:
        return S.ODF_NOT_SHEET
    return S.ZIP


def _zip_package(data: bytes, limits: ReadLimits) -> Package:
    members = _central_directory(data, limits)
    _check_names(members)
    spans = _member_spans(data, members)
    _check_sizes(members, limits)
    by_name = {m.name.casefold(): m for m in members}
    inflated: dict[str, bytes] = {}

    def inflate(member: _Member) -> bytes:
        if member.name not in inflated:
            inflated[member.name] = _inflate(data, member, spans[member.name])
        return inflated[member.name]

    def part(name: str) -> bytes | None:
        return inflate(by_name[name]) if name in by_name else None

    mimetype = part("mimetype")
    if mimetype is not None and mimetype.strip().startswith(ODS_MIME):
        if b"encryption-data" in (part("meta-inf/manifest.xml") or b""):
            refuse("file-encrypted")
        wanted = [m for m in members if m.name.casefold() in _ODS_READ]
        package = Package("ods")
    else:
        package = Package(_ooxml_format(part("[content_types].xml")) or "")
        if not package.format:
            refuse("file-not-workbook", what=_foreign_zip(set(by_name)))
        readable = (".xml", ".rels", ".bin") if package.format == "xlsb" else (".xml", ".rels")
        wanted = [m for m in members if m.name.casefold().endswith(readable)
                  and not m.name.casefold().startswith(_UNREAD)]
    sheets = []
    for member in wanted:
        content = package.parts[member.name] = inflate(member)
        if not member.name.casefold().endswith(".bin") and \
                _root_name(member.name, content) in _SHEET_ROOTS:
            sheets.append(member.name)
    for name in sheets:
        _check_sheet(package, name, package.parts[name], limits)
    if package.format == "ods":
        _check_ods(package.part("content.xml") or b"", limits)
    elif package.format in ("xlsx", "xlsm") and package.part(office_document(package)) is None:
        # Without its main part a workbook has no sheets: one problem, not one per form.
        refuse("file-unreadable", why="no-sheet-list")
    package.payload = _repack(data, members, spans, package.parts)
    return package


_LOCAL = struct.Struct("<IHHHHHIIIHH")
_END = struct.Struct("<IHHHHIIH")


def _repack(data: bytes, members: list[_Member], spans: dict[str, tuple[int, int]],
            parts: dict[str, bytes]) -> bytes:
    """The package rebuilt for the reader: the parts checked here stored uncompressed, the
    others copied as they are, under the central directory read here. The reader then sees
    exactly what was checked (no second opinion on an ambiguous zip), checks each part's CRC
    against what was inflated here, and does not inflate the parts a second time."""
    out, central, at = [], [], 0
    for member in members:
        content = parts.get(member.name)
        method, body = (0, content) if content is not None else \
            (member.method, data[spans[member.name][0]:spans[member.name][1]])
        flags = member.flags & 0x800  # keep only "UTF-8 name"; sizes are in the header
        fields = (20, flags, method, 0, 0x21, member.crc, len(body), member.size,
                  len(member.raw_name))
        out += [_LOCAL.pack(0x04034B50, *fields, 0), member.raw_name, body]
        central += [_CENTRAL.pack(0x02014B50, 20, *fields, 0, 0, 0, 0, 0, at), member.raw_name]
        at += _LOCAL.size + len(member.raw_name) + len(body)
    size = sum(map(len, central))
    end = _END.pack(0x06054B50, 0, 0, len(members), len(members), size, at, 0)
    return b"".join([*out, *central, end])


# --- the workbook's own structure ---------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def parse_xml(xml: bytes):
    """An XML part as an ElementTree element, parsed by defusedxml (no DTD, no entities); None
    when the part is not well-formed."""
    try:
        return SafeET.fromstring(xml, forbid_dtd=True)
    except Exception:  # a malformed optional part is ignored, whatever the parser raises
        return None


def _relationships(package: Package, source: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part name) of the part ``source`` ("" = the package)."""
    folder, base = posixpath.split(source)
    root = parse_xml(package.part(posixpath.join(folder, "_rels", base + ".rels")) or b"")
    result = {}
    for rel in root if root is not None else ():
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        result[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(path))
    return result


def office_document(package: Package) -> str:
    """The OOXML main part's name (normally ``xl/workbook.xml``)."""
    for kind, target in _relationships(package, "").values():
        if kind.endswith("/officeDocument"):
            return target
    return "xl/workbook.xml"


def _sheet_parts(package: Package) -> dict[str, str]:
    main = office_document(package)
    root = parse_xml(package.part(main) or b"")
    if root is None:
        return {}
    rels = _relationships(package, main)
    result = {}
    for element in root.iter():
        if _local(element.tag) != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
        if rid in rels:
            name = rels[rid][1]
            real = next((k for k in package.parts if k.casefold() == name.casefold()), name)
            result[element.get("name", "")] = real
    return result
