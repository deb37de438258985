"""A small streaming XLSX writer: one worksheet, a bold frozen header row, plain values.

The worksheet's XML is built as text in pieces (``Piece``: rows deflated on their own, placed by
order rather than by reference, so a piece can be kept and used again in any workbook) that go
into the ZIP end to end; the ZIP is written here, since ``zipfile`` cannot take data already
deflated, and zlib's ``crc32_combine`` (through ``ctypes``) joins the pieces' checksums.

What it writes is the least a valid Office Open XML workbook needs
(``[Content_Types].xml``, the relationships, ``xl/workbook.xml``, ``xl/styles.xml`` and
``xl/worksheets/sheet1.xml``), and every cell is one of:

* a number (``int``, ``float``; ``bool`` as a boolean) as a numeric cell;
* a ``datetime`` or ``date`` as an Excel date with a date format (an aware time in UTC, no zone kept);
* text as an inline string, never a formula: characters XML 1.0 forbids (control characters other
  than tab, newline and carriage return, lone surrogates, U+FFFE and U+FFFF) are dropped, the rest is
  escaped. A ``_xHHHH_`` someone typed is escaped too, as Excel does, so that Excel shows it as typed
  rather than decoding it into another character;
* ``None`` or an empty text as no value: an empty ``<c/>`` where a value follows it in the row, else
  nothing.

The text can be passed through ``prepare`` after the forbidden characters are dropped and before it
is escaped: the exports pass their formula guard there, so that nothing a spreadsheet would run as a
formula once re-saved (as CSV, say) can appear at the start of a cell.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import re
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, cast

__all__ = ["Cell", "Piece", "XlsxStream", "clean", "column_letter", "deflated", "piece", "write_xlsx"]

Cell = str | int | float | datetime | date | None

COMPRESS_LEVEL = 1  # deflate: most of the size saved for a fraction of the time of the default (6)
MAX_REMEMBERED = 100_000  # distinct texts kept with their cells, at most (then forgotten)
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
EPOCH = datetime(1899, 12, 30, tzinfo=UTC)  # day 0 of Excel's 1900 date system, as everyone reads it
STYLE_HEADER, STYLE_DATETIME, STYLE_DATE = 1, 2, 3  # indexes into cellXfs (0 is the default)

# Any character XML 1.0 does not allow.
_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Any character not written as it is: the forbidden, " & ' < > (escaped), _ (perhaps part of an
# _xHHHH_ to escape), and tab, newline and CR (kept, but the cell must then say to keep white space).
_NEEDS_WORK = re.compile(
    "[^\x20\x21\x23-\x25\x28-\x3b\x3d\x3f-\x5e\x60-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    "</Relationships>"
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# The default cell style, the header's bold one, and the two date formats (yyyy-mm-dd hh:mm:ss and
# yyyy-mm-dd: unambiguous in every locale). Excel wants both fills, the border and "Normal" present.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/>'
    '<numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd"/>'
    "</numFmts>"
    '<fonts count="2">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def clean(text: str) -> str:
    """The text without the characters XML 1.0 forbids (it keeps tab, newline and carriage return)."""
    return _FORBIDDEN.sub("", text)


def column_letter(index: int) -> str:
    """The letters of the 1-based column ``index``: 1 is A, 27 is AA."""
    if not 1 <= index <= MAX_COLUMNS:
        raise ValueError(f"no column {index}")
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _escape(text: str) -> str:
    """Text for an element's content or an attribute in double quotes: XML-escaped, CR kept."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace('"', "&quot;").replace("'", "&apos;")
    return text.replace("\r", "&#13;")  # a bare CR would come back as a newline


def _text_tail(text: str, prepare: Callable[[str], str] | None, style: str = "") -> str:
    """An inline-string cell after its reference (``style`` its style attribute, if any), or "" when
    nothing is left to show: ``'<c r="' + reference + tail``."""
    # the usual case: nothing to drop or escape, no white space to keep
    if _NEEDS_WORK.search(text) is None and text[0] != " " and text[-1] != " ":
        if prepare is not None:
            text = prepare(text)
            if _NEEDS_WORK.search(text) is not None or text[:1] == " " or text[-1:] == " ":
                return _text_tail(text, None, style)  # what prepare added needs a look
        return f'"{style} t="inlineStr"><is><t>{text}</t></is></c>' if text else ""
    text = _FORBIDDEN.sub("", text)
    if prepare is not None:
        text = prepare(text)
    if not text:
        return ""
    # spreadsheets may trim or fold white space unless told to keep it
    preserve = text[0] == " " or text[-1] == " " or "\n" in text or "\t" in text or "\r" in text
    if "_x" in text:  # Excel would read _xHHHH_ as an escaped character
        text = _EXCEL_ESCAPE.sub(r"_x005F_\1", text)
    space = ' xml:space="preserve"' if preserve else ""
    return f'"{style} t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


def _excel_date(value: datetime | date) -> float:
    if isinstance(value, datetime):
        days = (value if value.tzinfo else value.replace(tzinfo=UTC)) - EPOCH  # naive: as it reads
        return days.days + (days.seconds + days.microseconds / 1e6) / 86_400
    return float((value - EPOCH.date()).days)


def _value_tail(value: Cell, prepare: Callable[[str], str] | None) -> str:
    """Any cell after its reference, as _text_tail: numbers, times and dates, text; "" for none."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _text_tail(value, prepare) if value else ""
    if isinstance(value, bool):
        return f'" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'"><v>{value}</v></c>'
    if isinstance(value, float):
        if math.isfinite(value):
            return f'"><v>{value!r}</v></c>'
        return _text_tail(str(value), prepare)  # no number for nan or infinity
    if isinstance(value, datetime):
        return f'" s="{STYLE_DATETIME}"><v>{_excel_date(value)!r}</v></c>'
    if isinstance(value, date):
        return f'" s="{STYLE_DATE}"><v>{_excel_date(value)!r}</v></c>'
    raise TypeError(f"an XLSX cell cannot hold {type(value).__name__}")


def _sheet_name(name: str) -> str:
    if not 1 <= len(name) <= 31 or _SHEET_NAME_FORBIDDEN.search(name) or name.startswith("'"):
        raise ValueError(f"not a worksheet name Excel accepts: {name!r}")
    return name


def _workbook(sheet: str, filter_range: str | None) -> str:
    defined = ""
    if filter_range is not None:  # Excel keeps the filtered range under this hidden name
        quoted = "'" + sheet.replace("'", "''") + "'"
        defined = (
            '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
            f"{_escape(quoted)}!{filter_range}</definedName></definedNames>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name="{_escape(sheet)}" sheetId="1" r:id="rId1"/></sheets>'
        f"{defined}</workbook>"
    )


def _sheet_start(widths: Sequence[float], header: str) -> str:
    columns = "".join(
        f'<col min="{i}" max="{i}" width="{width:g}" customWidth="1"/>'
        for i, width in enumerate(widths, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"{f'<cols>{columns}</cols>' if columns else ''}"
        f'<sheetData><row r="1">{header}</row>'
    )


# -- pieces and the ZIP they go into --------------------------------------------------------------


class Piece(NamedTuple):
    """Rows of the sheet, deflated on their own and ready to go into any workbook at any row.

    The rows and cells carry no reference (``r``): a spreadsheet places each row after the one
    before and each cell after the one before it, an empty cell being ``<c/>``. So a piece made
    once (the board keeps one per evaluation) is the same bytes wherever it lands, and a workbook
    is its pieces one after another: no row is built or compressed again.
    """

    data: bytes  # raw deflate, ending on a byte boundary, no block marked last
    crc: int  # CRC-32 of the XML the data inflates to
    size: int  # bytes of that XML
    rows: int


def deflated(xml: bytes, rows: int = 0) -> Piece:
    """``xml`` as a piece: compressed with no header and a sync flush, so pieces join end to end."""
    compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    data = compressor.compress(xml) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return Piece(data, zlib.crc32(xml), len(xml), rows)


def _plain_cell(tail: str) -> str:
    """A cell without its reference, from its tail (``'"' + attributes + '>' ...``); "" for none."""
    return "<c" + tail[1:] if tail else ""


def piece(
    rows: Iterable[Sequence[Cell]],
    count: int,
    prepare: Callable[[str], str] | None = None,
    cells: dict[Any, str] | None = None,
) -> Piece:
    """Rows of ``count`` values each as a piece (see ``Piece``). ``cells``: texts and times already
    written, with their cells, kept between calls (names, labels and times repeat); it never changes
    the bytes."""
    cells = {} if cells is None else cells
    parts: list[str] = []
    number = 0
    for number, values in enumerate(rows, start=1):  # noqa: B007 - the count is used after the loop
        if len(values) != count:
            raise ValueError(f"a row has {len(values)} values for {count} columns")
        parts.append("<row>")
        empty = 0  # empty cells since the last one written: written only if a value follows
        for value in values:
            kind = type(value)
            if kind is int:
                cell = f"<c><v>{value}</v></c>"
            elif value is None:
                cell = ""
            elif kind is str or kind is datetime:  # never a float or bool: 1.0 == True == 1
                found = cells.get(value)
                if found is None:
                    if len(cells) > MAX_REMEMBERED:
                        cells.clear()
                    found = cells[value] = _plain_cell(_value_tail(value, prepare))
                cell = found
            else:
                cell = _plain_cell(_value_tail(value, prepare))
            if not cell:
                empty += 1
                continue
            if empty:
                parts.append("<c/>" * empty)
                empty = 0
            parts.append(cell)
        parts.append("</row>")
    return deflated("".join(parts).encode(), number)


_FINAL = b"\x03\x00"  # an empty last block: what ends a raw deflate stream
_VERSION = 20  # the ZIP version a reader needs: 2.0, deflate
_FLAGS = 0x08  # the CRC and sizes follow the data (in a data descriptor): it is written as it goes
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, 00:00: the same rows make the same bytes
_LIMIT = 0xFFFF_FFFF  # a ZIP without its 64-bit extension counts to here


def _load_combine() -> Callable[[int, int, int], int]:
    """zlib's crc32_combine: the CRC of two strings joined, from theirs and the second's length.
    Python's zlib module does not offer it; the library it is built on does."""
    name = ctypes.util.find_library("z") or "libz.so.1"
    try:
        library = ctypes.CDLL(name)
    except OSError as error:  # pragma: no cover - every platform Python runs on has zlib
        raise RuntimeError(f"the XLSX export needs the zlib library ({name}): {error}") from error
    combine = library.crc32_combine64 if hasattr(library, "crc32_combine64") else library.crc32_combine
    combine.argtypes = (ctypes.c_ulong, ctypes.c_ulong, ctypes.c_int64)
    combine.restype = ctypes.c_ulong
    return cast("Callable[[int, int, int], int]", combine)


_combine: Callable[[int, int, int], int] | None = None


def crc32_combine(first: int, second: int, second_size: int) -> int:
    global _combine
    if _combine is None:
        _combine = _load_combine()
    return _combine(first, second, second_size)


class _Zip:
    """A ZIP written front to back (members deflated, sizes after each one's data), for a stream."""

    def __init__(self) -> None:
        self._out: list[bytes] = []
        self._offset = 0
        self._directory: list[bytes] = []
        self._open: tuple[bytes, int] | None = None  # the member being written: name, its offset
        self._crc = self._size = self._compressed = 0

    def _write(self, data: bytes) -> None:
        self._out.append(data)
        self._offset += len(data)

    def take(self) -> bytes:
        data = b"".join(self._out)
        self._out.clear()
        return data

    def begin(self, name: str) -> None:
        encoded = name.encode()
        self._open = (encoded, self._offset)
        self._crc = self._size = self._compressed = 0
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, _VERSION, _FLAGS, 8, 0, _DOS_DATE, 0, 0, 0, len(encoded), 0
        )
        self._write(header + encoded)

    def add(self, pieces: Iterable[Piece]) -> None:
        crc, size, compressed = self._crc, self._size, self._compressed
        for found in pieces:
            self._out.append(found.data)
            crc = crc32_combine(crc, found.crc, found.size) if size else found.crc
            size += found.size
            compressed += len(found.data)
        self._offset += compressed - self._compressed
        self._crc, self._size, self._compressed = crc, size, compressed
        if size > _LIMIT or self._offset > _LIMIT:
            raise ValueError("more than 4 GB of sheet: more than this workbook can hold")

    def end(self) -> None:
        if self._open is None:
            raise RuntimeError("no member is open")
        self.add([Piece(_FINAL, 0, 0, 0)])
        name, offset = self._open
        self._open = None
        self._write(struct.pack("<IIII", 0x08074B50, self._crc, self._compressed, self._size))
        self._directory.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                _VERSION,
                _VERSION,
                _FLAGS,
                8,
                0,
                _DOS_DATE,
                self._crc,
                self._compressed,
                self._size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )

    def put(self, name: str, text: str) -> None:
        self.begin(name)
        self.add([deflated(text.encode())])
        self.end()

    def close(self) -> None:
        directory = b"".join(self._directory)
        count = len(self._directory)
        start = self._offset
        self._write(directory)
        self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), start, 0))


class XlsxStream:
    """A workbook written as it goes: ``start()``, then ``add(rows)`` or ``add_pieces(pieces)`` as
    often as there are rows, then ``finish()``; each returns the bytes made so far, so memory holds
    one batch, never the file.

    The same bytes for the same pieces: ``add(rows)`` makes one of its rows.
    """

    def __init__(
        self,
        columns: Sequence[tuple[str, float]],
        *,
        sheet: str = "Sheet1",
        prepare: Callable[[str], str] | None = None,
        autofilter: bool = True,
    ) -> None:
        self.sheet = _sheet_name(sheet)
        self.columns = columns
        self.prepare = prepare
        self.autofilter = autofilter
        self.letters = [column_letter(i) for i in range(1, len(columns) + 1)]
        self._zip = _Zip()
        self._started = False
        self._last_row = 1
        self._cells: dict[Any, str] = {}  # texts and times -> their cells: names, labels repeat

    def start(self) -> bytes:
        bold = f' s="{STYLE_HEADER}"'
        header = "".join(
            f'<c r="{letter}1{_text_tail(title, None, bold)}' if title else ""
            for letter, (title, _) in zip(self.letters, self.columns, strict=True)
        )
        self._zip.put("[Content_Types].xml", _CONTENT_TYPES)
        self._zip.put("_rels/.rels", _ROOT_RELS)
        self._zip.begin("xl/worksheets/sheet1.xml")
        self._zip.add([deflated(_sheet_start([width for _, width in self.columns], header).encode())])
        self._started = True
        return self._zip.take()

    def add(self, rows: Iterable[Sequence[Cell]]) -> bytes:
        """Rows of values, one per column, as one piece."""
        return self.add_pieces([piece(rows, len(self.columns), self.prepare, self._cells)])

    def add_pieces(self, pieces: Iterable[Piece]) -> bytes:
        """Rows made before (``piece``, with this workbook's columns and ``prepare``)."""
        if not self._started:
            raise RuntimeError("start() the workbook first")
        last_row = self._last_row

        def counted() -> Iterator[Piece]:
            nonlocal last_row
            for found in pieces:
                last_row += found.rows
                if last_row > MAX_ROWS:
                    raise ValueError(f"more than {MAX_ROWS - 1} rows: more than a sheet can hold")
                yield found

        self._zip.add(counted())
        self._last_row = last_row
        return self._zip.take()

    def finish(self) -> bytes:
        if not self._started:
            raise RuntimeError("start() the workbook first")
        last_row, letters = self._last_row, self.letters
        filter_range = (
            f"$A$1:${letters[-1]}${last_row}" if self.autofilter and letters and last_row > 1 else None
        )
        closing = f'<autoFilter ref="{filter_range.replace("$", "")}"/>' if filter_range else ""
        self._zip.add([deflated(f"</sheetData>{closing}</worksheet>".encode())])
        self._zip.end()
        self._zip.put("xl/workbook.xml", _workbook(self.sheet, filter_range))
        self._zip.put("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        self._zip.put("xl/styles.xml", _STYLES)
        self._zip.close()
        return self._zip.take()


def write_xlsx(
    columns: Sequence[tuple[str, float]],
    rows: Iterable[Sequence[Cell]],
    *,
    sheet: str = "Sheet1",
    prepare: Callable[[str], str] | None = None,
    autofilter: bool = True,
) -> bytes:
    """A workbook with one sheet: a bold header row of the ``columns``' titles (frozen, with their
    widths in characters), then one row per item of ``rows``, each as many values as there are columns.

    ``prepare`` sees every text (after the characters XML forbids are dropped) and returns what to
    write: the exports pass their formula guard. ``autofilter`` puts filter buttons on the header (when
    there are rows to filter). The whole file at once; ``XlsxStream`` writes it as it goes.
    """
    stream = XlsxStream(columns, sheet=sheet, prepare=prepare, autofilter=autofilter)
    return stream.start() + stream.add(rows) + stream.finish()
