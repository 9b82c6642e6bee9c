"""The import template, made from the column definitions (``reading.COLUMNS``).

* CSV: the header row alone, UTF-8 with a BOM (Excel opens it in Chinese),
  CRLF line ends.
* XLSX: the first sheet (the one the import reads) holds the header row alone,
  every column formatted as text so that a spreadsheet neither turns an ID number
  into a 15-digit number nor a date into a serial number; a second sheet says
  what goes in each column, with an example.

Both import unchanged (no rows, no errors): a department fills in the first
sheet below the header and uploads the file as it is.
"""

from __future__ import annotations

import codecs
import io

from django.utils.translation import gettext as _

from .reading import COLUMNS

CSV_NAME = "信用记录导入模板.csv"
XLSX_NAME = "信用记录导入模板.xlsx"
DATA_SHEET = "信用记录"  # the title the export gives its sheet too
TEXT_FORMAT = "@"
WIDTHS = {"id_number": 22, "decision_no": 26, "summary": 40, "legal_basis": 30}


def header() -> list[str]:
    return [column.chinese for column in COLUMNS]


def template_csv() -> bytes:
    return codecs.BOM_UTF8 + (",".join(header()) + "\r\n").encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    bold = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.chinese)
        cell.font = bold
        dimension = sheet.column_dimensions[letter]
        dimension.width = WIDTHS.get(column.key, 14)
        dimension.number_format = TEXT_FORMAT  # cells typed below the header stay text
    sheet.freeze_panes = "A2"

    guide = book.create_sheet(_("How to fill in"))
    guide.append([_("Column"), _("English header"), _("Required"), _("Content"), _("Example")])
    for cell in guide[1]:
        cell.font = bold
    for column in COLUMNS:
        guide.append(
            [column.chinese, column.english, _("yes") if column.required else _("no"), str(column.help), column.example]
        )
    guide.append([])
    guide.append(
        [
            _(
                "Fill in the first sheet, below its header row, one record per row, and upload the file as it is. "
                "Only the first sheet is imported; the columns may also be in another order."
            )
        ]
    )
    for letter, width in zip("ABCDE", (14, 16, 8, 60, 40)):
        guide.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
