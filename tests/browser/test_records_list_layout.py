"""The records list at 1366x768 (a caseworker's laptop): status and dates are
visible without sideways scrolling, with realistic long names in every column."""

from __future__ import annotations

import pytest
from django.db import transaction

from registry import services
from registry.models import CatalogItem
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_records_list_fits_1366_pixels(
    live_server, browser, admin_login, artifacts_dir, users, tree, make_person, make_record, operator
):
    with transaction.atomic():
        item = services.save_catalog_item(
            CatalogItem(
                code="YN-SCJG-XZCF-0001",
                name="市场监督管理领域行政处罚信息（食品生产经营违法行为，含网络食品交易第三方平台）",
                category="penalty",
                legal_basis="《中华人民共和国食品安全法》",
                sharing_level="public",
            ),
            acting_user=operator,
            reason="test",
        )
    for i in range(5):
        person = make_person(tree["A"], name=f"欧阳娜娜{i}")
        make_record(
            person,
            tree["A"],
            decision_no=f"昆明市市场监督管理局行政处罚决定书昆市监罚〔2026〕第10{i}号",
            catalog_item=item,
        )
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        admin_login(page, "supervisor", PASSWORD)
        page.goto(f"{live_server.url}/admin/registry/creditrecord/")
        shot = artifacts_dir / "records-list-1366.png"
        page.screenshot(path=str(shot))
        viewport = page.viewport_size["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport
        for column in ("status_display", "decision_date", "display_until"):
            header = page.locator(f"#result_list thead th.column-{column}")
            box = header.bounding_box()
            assert box is not None, column
            assert box["x"] >= 0 and box["x"] + box["width"] <= viewport, (column, box)
            cell = page.locator(f"#result_list tbody td.field-{column}").first
            cell_box = cell.bounding_box()
            assert cell_box["x"] + cell_box["width"] <= viewport, (column, cell_box)
            assert cell.inner_text().strip()
    finally:
        context.close()
