"""Building import files for the tests."""

from __future__ import annotations

import datetime
import io

from tests.conftest import make_id_number

CHINESE_HEADER = ["姓名", "身份证号", "信息项编码", "决定文书号", "决定日期", "严重程度", "事实摘要"]
ENGLISH_HEADER = ["name", "id_number", "catalog_code", "decision_no", "decision_date", "severity", "summary"]


def rows_for(n: int, *, prefix: str = "昆市监罚〔2026〕", code: str = "XZCF-001", start: int = 1):
    """``n`` valid rows (lists in CHINESE_HEADER order), each a new person."""
    rows = []
    for i in range(start, start + n):
        rows.append(
            [
                f"张{i}",
                make_id_number(birth=f"19{70 + i % 30}0{1 + i % 9}1{i % 9}", seq=i % 1000),
                code,
                f"{prefix}{i}号",
                (datetime.date(2026, 1, 5) + datetime.timedelta(days=i % 60)).isoformat(),
                ["轻微", "一般", "严重"][i % 3],
                f"未按规定履行义务 第{i}件",
            ]
        )
    return rows


def csv_bytes(header, rows, *, encoding="utf-8", bom=False, newline="\n") -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(header, rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
