"""Reading import files: CSV (UTF-8, UTF-8 with BOM, GB18030/GBK) and XLSX.

Streams rows; nothing holds the whole file. Each data row comes out as
``(row_number, cells)`` where ``row_number`` is the row as the user sees it in
the spreadsheet (the header is row 1) and ``cells`` are the normalised strings
of the file's columns, in the file's order. Normalisation: surrounding spaces
(including the ideographic space U+3000 and stray BOMs) are stripped,
full-width digits become ASCII digits, CRLF inside cells becomes LF, and
invisible control characters (:data:`CONTROL_CHARACTERS`) are dropped.
Nothing is evaluated: a cell that looks like a formula (``=SUM(A1)``) stays
that text, in CSV and in XLSX alike.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Shared with the record's own normalisation (a decision number typed in the admin).
from ..identifiers import FULL_WIDTH_DIGITS, STRIP_CHARS

# --- Columns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    chinese: str
    english: str
    required: bool
    aliases: tuple[str, ...] = ()
    help: str = ""  # what goes in the cell (the import page and the template say it)
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "name", True, help=gettext_lazy("The person's name, as registered."), example="张三"),
    Column("id_number", "身份证号", "id_number", True, ("身份证号码", "公民身份号码", "id number", "idnumber"),
           help=gettext_lazy("The 18-character resident ID number. Keep the column formatted as text: as a number, "
                             "a spreadsheet keeps only 15 digits of it.")),
    Column("catalog_code", "信息项编码", "catalog_code", True, ("catalog code", "catalogue_code", "catalogue code"),
           help=gettext_lazy("The code of an active catalogue item your department records."), example="SP-XZCF-001"),
    Column("decision_no", "决定文书号", "decision_no", True, ("决定书文号", "decision number", "decision no"),
           help=gettext_lazy("The decision document number; each one once per file."),
           example="昆市监罚〔2026〕101号"),
    Column("decision_date", "决定日期", "decision_date", True, ("decision date",),
           help=gettext_lazy("YYYY-MM-DD (also 2026/3/2, 20260302, 2026年3月2日)."), example="2026-03-02"),
    Column("severity", "严重程度", "severity", True, help=gettext_lazy("轻微/一般/严重 or minor/general/serious."),
           example="一般"),
    Column("display_from", "公示开始日期", "display_from", False, ("display from",),
           help=gettext_lazy("Empty: the decision date.")),
    Column("display_until", "公示截止日期", "display_until", False, ("display until",),
           help=gettext_lazy("Empty: the catalogue's maximum period for the severity.")),
    Column("summary", "事实摘要", "summary", False, help=gettext_lazy("Empty: the catalogue item's name."),
           example="未按规定公示年度报告，经责令仍未改正。"),
    Column("legal_basis", "法律依据", "legal_basis", False, help=gettext_lazy("The legal basis of the decision."),
           example="《企业信息公示暂行条例》第十八条"),
)  # fmt: skip
COLUMN_KEYS = tuple(column.key for column in COLUMNS)
REQUIRED_KEYS = tuple(column.key for column in COLUMNS if column.required)
# The two columns an export (registry.exporting) adds, accepted so that a
# department can import its own export: 部门 must name the target department
# on every row (engine.RowValidator checks it); 状态 is ignored (an import
# never changes a record's status).
INFO_COLUMNS: tuple[Column, ...] = (
    Column("department", "部门", "department", False),
    Column("status", "状态", "status", False),
)


def _header_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).strip().lower().split())


HEADER_ALIASES: dict[str, str] = {}
for _column in COLUMNS + INFO_COLUMNS:
    for _alias in (_column.chinese, _column.english, *_column.aliases):
        HEADER_ALIASES[_header_key(_alias)] = _column.key
        HEADER_ALIASES[_header_key(_alias).replace("_", " ")] = _column.key

SEVERITY_WORDS = {
    "轻微": "minor",
    "一般": "general",
    "严重": "serious",
    "minor": "minor",
    "general": "general",
    "serious": "serious",
}

# --- Cells ---------------------------------------------------------------------------------


FULL_WIDTH_DIGIT = re.compile("[０-９]")
# C0 control characters other than tab, LF and CR, and DEL: nobody can see or
# type them, XML (so XLSX) cannot hold them, and one in front of "=" would hide
# a formula from a spreadsheet's escaping. The export drops them as well.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What the export puts a quote in front of (registry.exporting.FORMULA_TRIGGERS).
ESCAPED_TRIGGERS = frozenset("=+-@\t\r\n")
# Anything clean_cell might change: a row without any of these is already clean.
MAYBE_UNCLEAN = re.compile(f"[{re.escape(STRIP_CHARS)}\r０-９\x00-\x08\x0b\x0c\x0e-\x1f\x7f']")


def clean_cell(value) -> str:
    """A cell as normalised text (see the module docstring)."""
    if value.__class__ is str:
        text = value
    elif value is None:
        return ""
    elif isinstance(value, datetime.datetime):
        text = value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        # Beyond 2**53 a float has lost digits (an ID number typed into a number
        # cell): keep Excel's own spelling, 5.30102198001011e+17, which no check
        # accepts, instead of digits that may spell another valid number.
        text = str(int(value)) if abs(value) < 2**53 else repr(value)
    else:
        text = str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if CONTROL_CHARACTERS.search(text):
        text = CONTROL_CHARACTERS.sub("", text)
    if not text.isascii() and FULL_WIDTH_DIGIT.search(text):
        text = text.translate(FULL_WIDTH_DIGITS)
    text = text.strip(STRIP_CHARS)
    if text[:1] == "'" and text.lstrip("'")[:1] in ESCAPED_TRIGGERS:
        # '=1+1 is how our export (and OWASP's advice) writes a cell that starts
        # like a formula (''=1 a value that itself began '=): one quote comes off.
        text = text[1:].strip(STRIP_CHARS)
    return text


# --- Problems in the file's shape ------------------------------------------------------------


class FileProblem(Exception):
    """The file cannot be read at all (format, encoding): one message, no rows."""


@dataclass
class HeaderProblem:
    column: str
    message: str


ENCODINGS = {"auto", "utf-8", "gb18030"}
DETECT_BYTES = 1 << 20
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary workbook (.xls, OLE2)


# What Excel's "Unicode text" writes: UTF-16 (little-endian) with a BOM.
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
ACCEPTED_ENCODINGS = "UTF-8, GB18030/GBK, UTF-16"


def utf16_encoding(sample: bytes) -> str | None:
    """``utf-16`` (with a BOM, which the codec reads and drops), ``utf-16-le``
    or ``utf-16-be`` (without one) when the sample is UTF-16 text, else None.

    With a BOM that is certain. Without one, a header of Chinese and ASCII
    text in UTF-16 has a zero byte in every ASCII character (commas, tabs,
    line ends), all on the same side of their pair, which UTF-8 and GB18030
    text never has (nor does a binary file, whose zeros fall anywhere).
    """
    if sample.startswith(UTF16_BOMS):
        return "utf-16"
    head = sample[:4096]
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    # (A few Chinese characters have a zero byte too: 一 is U+4E00.)
    if even >= 4 and even >= 8 * odd:
        return "utf-16-be"
    if odd >= 4 and odd >= 8 * even:
        return "utf-16-le"
    return None


def detect_encoding(sample: bytes) -> str:
    """``utf-8-sig`` (BOM), UTF-16 (see :func:`utf16_encoding`), ``utf-8``
    (decodes cleanly), else ``gb18030``.

    GB18030 is a superset of GBK and GB2312, so it reads files that Excel on
    a Chinese Windows saves as "CSV". The sample may end inside a character.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    utf16 = utf16_encoding(sample)
    if utf16:
        return utf16
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def detect_delimiter(sample: bytes, encoding: str) -> str:
    """``\t`` when the header line is tab-separated (Excel's "Text" and
    "Unicode text" files), else ``,``. Column names hold neither."""
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample[:65536], final=False)
    line = text.lstrip("\ufeff").split("\n", 1)[0]
    return "\t" if "\t" in line and "," not in line else ","


class TableReader:
    """Rows of a CSV or XLSX file, header first mapped to column keys.

    ``header`` (list of the file's header texts), ``columns`` (key -> index)
    and ``problems`` (header problems) are set once :meth:`open` has run.
    """

    def __init__(self, fileobj, *, file_name: str = "", encoding: str = "auto"):
        if encoding not in ENCODINGS:
            raise ValueError(f"encoding must be one of {sorted(ENCODINGS)}")
        self.fileobj = fileobj
        self.file_name = file_name
        self.requested_encoding = encoding
        self.encoding = ""
        self.format = ""
        self.delimiter = ","
        self.header: list[str] = []
        self.columns: dict[str, int] = {}
        self.problems: list[HeaderProblem] = []
        self._rows: Iterator | None = None
        self._workbook = None

    # --- opening -------------------------------------------------------------------
    def open(self) -> TableReader:
        head = self.fileobj.read(DETECT_BYTES)
        if isinstance(head, str):
            raise TypeError("open the import file in binary mode")
        self.fileobj.seek(0)
        if head.startswith(XLS_MAGIC):
            raise FileProblem(
                _(
                    "This is an old Excel workbook (.xls), which the import does not read. In Excel, save it as "
                    "“Excel Workbook (.xlsx)” or as “CSV UTF-8” and upload it again."
                )
            )
        if head.startswith(XLSX_MAGIC) or self.file_name.lower().endswith((".xlsx", ".xlsm")):
            self.format = "xlsx"
            self._rows = self._xlsx_rows()
        else:
            self.format = "csv"
            # A UTF-16 BOM is unambiguous: it wins over a chosen encoding, which could not read the file.
            utf16 = utf16_encoding(head[:2])
            if self.requested_encoding == "auto":
                self.encoding = detect_encoding(head)
            else:
                self.encoding = utf16 or self.requested_encoding
            if self.encoding == "utf-8" and head.startswith(codecs.BOM_UTF8):
                self.encoding = "utf-8-sig"
            self.delimiter = detect_delimiter(head, self.encoding)
            self._rows = self._csv_rows()
        try:
            header = next(self._rows, None)
        except FileProblem:
            raise
        if header is None:
            raise FileProblem(_("The file is empty: it has no header row."))
        self._map_header([clean_cell(cell) for cell in header])
        return self

    def _csv_rows(self):
        text = io.TextIOWrapper(self.fileobj, encoding=self.encoding, errors="strict", newline="")
        try:
            # strict: a quote opened and never closed is an error, not the rest of the
            # file read silently into one cell (other people's ID numbers in a summary).
            reader = csv.reader(text, delimiter=self.delimiter, strict=True)
            row = 0  # the last row read whole (the header is row 1)
            try:
                for row, record in enumerate(reader, start=1):  # noqa: B007 (row is read after the loop)
                    yield record
            except UnicodeDecodeError:
                raise FileProblem(self._undecodable_message(self._line_of_bad_bytes() or row + 1)) from None
            except csv.Error as exc:
                if "end of data" in str(exc):
                    message = _(
                        'Row %(row)d has a cell that opens a double quote (") and never closes it, so everything '
                        "after it would be read as that one cell. Close the quote or remove it."
                    ) % {"row": row + 1}
                elif "expected after" in str(exc):
                    message = _(
                        "Row %(row)d has a cell in double quotes followed by other characters before the next comma "
                        '(such as "张三" ,). Remove what follows the closing quote, or the quotes.'
                    ) % {"row": row + 1}
                else:
                    message = _("The CSV file is malformed near row %(row)d: %(error)s") % {
                        "row": row + 1,
                        "error": exc,
                    }
                raise FileProblem(message) from None
        finally:
            try:
                text.detach()  # leave the caller's file open
            except ValueError:
                pass

    def _undecodable_message(self, row: int) -> str:
        """Why the bytes at ``row`` cannot be read, and what to do: the encodings the import reads."""
        advice = _(
            "The import reads CSV in UTF-8, GB18030/GBK or UTF-16, and XLSX. In Excel, save the file as "
            "“CSV UTF-8” (or as “CSV”, which on Chinese Windows is GB18030) and upload it again."
        )
        if self.requested_encoding != "auto" and not self.encoding.startswith("utf-16"):
            problem = _(
                "Row %(row)d is not %(encoding)s text, the encoding chosen for this file: choose “Detect "
                "automatically” instead."
            ) % {"row": row, "encoding": self.encoding_label}
            return f"{problem} {advice}"
        if row <= 1:
            return _("The file is not text in any encoding the import reads.") + " " + advice
        problem = _(
            "Row %(row)d is not %(encoding)s text like the rows before it: part of the file was saved in another "
            "encoding."
        ) % {"row": row, "encoding": self.encoding_label}
        return f"{problem} {advice}"

    def _line_of_bad_bytes(self) -> int | None:
        """The line (1 = the header) of the first bytes that do not decode, or None.

        Only on the error path: the text reader decodes in chunks, so the row it
        was at when the error surfaced may be far from the bytes at fault.
        """
        try:
            self.fileobj.seek(0)
            decoder = codecs.getincrementaldecoder(self.encoding)()
            newline = "\n".encode(self.encoding.replace("-sig", "")) if "16" not in self.encoding else None
            line = 1
            while chunk := self.fileobj.read(1 << 16):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    return line + chunk.count(newline, 0, max(0, exc.start)) if newline else None
                if newline:
                    line += chunk.count(newline)
        except (OSError, ValueError, LookupError):
            return None
        return None

    @property
    def encoding_label(self) -> str:
        """The encoding as people name it: UTF-8, GB18030, UTF-16."""
        if self.encoding.startswith("utf-16"):
            return "UTF-16"
        return {"utf-8-sig": "UTF-8"}.get(self.encoding, self.encoding.upper())

    def _xlsx_rows(self):
        import zipfile

        from openpyxl import load_workbook

        try:
            # read_only streams the sheet; data_only=False keeps formulas as
            # their text instead of a cached result: nothing is evaluated.
            self._workbook = load_workbook(self.fileobj, read_only=True, data_only=False)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise FileProblem(_("The file is not a readable XLSX workbook (%(error)s).") % {"error": exc}) from None
        sheet = self._workbook.worksheets[0]
        # A read-only sheet believes its <dimension> element, which some writers
        # leave stale (A1, or fewer rows than there are): rows would go missing.
        sheet.reset_dimensions()
        try:
            yield from sheet.iter_rows(values_only=True)
        finally:
            self._workbook.close()

    def close(self) -> None:
        if self._rows is not None:
            self._rows.close()
        if self._workbook is not None:
            self._workbook.close()

    def _map_header(self, header: list[str]) -> None:
        self.header = header
        for index, text in enumerate(header):
            if not text:
                continue  # an unnamed (usually empty) column, e.g. trailing commas
            key = HEADER_ALIASES.get(_header_key(text)) or HEADER_ALIASES.get(_header_key(text).replace("_", " "))
            if key is None:
                self.problems.append(
                    HeaderProblem(
                        text,
                        _("Unknown column. The columns are: %(columns)s.")
                        % {"columns": ", ".join(f"{c.chinese}/{c.english}" for c in COLUMNS + INFO_COLUMNS)},
                    )
                )
            elif key in self.columns:
                self.problems.append(HeaderProblem(text, _("This column appears twice.")))
            else:
                self.columns[key] = index
        for column in COLUMNS:
            if column.required and column.key not in self.columns:
                self.problems.append(
                    HeaderProblem(
                        f"{column.chinese}/{column.english}", _("Missing column: the file needs this column.")
                    )
                )

    def column_label(self, key: str) -> str:
        """The header text the user wrote for ``key`` (or the Chinese name)."""
        index = self.columns.get(key)
        if index is not None:
            return self.header[index]
        return next(c.chinese for c in COLUMNS + INFO_COLUMNS if c.key == key)

    # --- rows -----------------------------------------------------------------------
    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """``(row_number, cells)`` for every non-empty data row (row 2 onwards).

        ``cells`` has at least the header's width, plus one empty cell at the
        end (index -1) that stands for any column the file does not have.
        """
        assert self._rows is not None, "call open() first"
        row_number = 1
        width = len(self.header)
        plain_text = self.format == "csv"  # every cell is already a str
        search = FULL_WIDTH_DIGIT.search
        maybe_unclean = MAYBE_UNCLEAN.search
        control = CONTROL_CHARACTERS.search
        for raw in self._rows:
            row_number += 1
            if plain_text:
                joined = "".join(raw)
                if not maybe_unclean(joined):
                    cells = raw  # nothing to strip or translate (csv.reader gives a fresh list)
                elif (
                    "\r" not in joined
                    and "'" not in joined
                    and not control(joined)
                    and (joined.isascii() or not search(joined))
                ):
                    cells = [cell.strip(STRIP_CHARS) for cell in raw]  # the common case, quickly
                else:
                    cells = [clean_cell(cell) for cell in raw]
            else:
                cells = [clean_cell(cell) for cell in raw]
            if not any(cells):
                continue  # blank rows (trailing empty lines) are skipped, still counted
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            cells.append("")  # index -1: the value of a column the file does not have
            yield row_number, cells


def severity_value(text: str) -> str | None:
    return SEVERITY_WORDS.get(text.strip().lower())


SEVERITY_HELP = gettext_lazy("Use 轻微/一般/严重 or minor/general/serious.")
