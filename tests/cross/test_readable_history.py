"""History pages read in the user's language; no empty history rows; system reasons as sentences."""

from __future__ import annotations

import html
import re

import pytest
from django.db import transaction
from django.urls import reverse

from registry import services
from registry.choices import RecordStatus
from registry.models import CreditRecord, Department, Person
from tests.conftest import make_id_number


def history_table(client, url, language="zh-hans") -> str:
    body = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    table = re.search(r'<table id="change-history".*?</table>', body, re.S)
    assert table, body
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", table.group(0))))


@pytest.fixture
def published(users, tree, make_person, make_record):
    users["publisher_a"].first_name = "张三"
    users["publisher_a"].save()
    person = make_person(tree["A"], name="赵六")
    record = make_record(person, tree["A"])
    with transaction.atomic():
        services.change_record_status(
            record, status=RecordStatus.ACTIVE, acting_user=users["publisher_a"], reason="经审核公示"
        )
    return record


def test_history_page_is_in_the_users_language_with_statuses_in_words(client, users, published):
    client.force_login(users["supervisor"])
    url = reverse("admin:registry_creditrecord_history", args=[published.pk])
    table = history_table(client, url)
    # Column headers and field labels in Chinese, the status change in words.
    for text in ("时间", "操作人", "原因", "变更内容", "状态：草稿 → 公示中"):
        assert text in table, (text, table)
    assert "draft" not in table and "active" not in table and "history_change_reason" not in table
    # The reason once, the staff member by full name with the username.
    assert table.count("经审核公示") == 1
    assert "张三（publisher_a）" in table
    # Bookkeeping fields are not a change a reader needs to see.
    assert "更新时间" not in table
    english = history_table(client, url, "en")
    assert "Status: Draft → Active" in english
    assert "张三 (publisher_a)" in english


def test_history_times_are_beijing_time(client, users, published):
    from django.utils import timezone

    client.force_login(users["supervisor"])
    row = published.history.latest("history_date")
    table = history_table(client, reverse("admin:registry_creditrecord_history", args=[published.pk]))
    assert timezone.localtime(row.history_date).strftime("%Y-%m-%d %H:%M") in table


def test_saving_without_a_change_writes_no_history_row(client, users, tree, published, operator):
    before = published.history.count()
    with transaction.atomic():
        services.save_credit_record(
            CreditRecord.objects.get(pk=published.pk), acting_user=users["caseworker_a"], reason="未改动"
        )
        services.save_department(Department.objects.get(pk=tree["A"].pk), acting_user=operator, reason="未改动")
        person = Person.objects.get(pk=published.person_id)
        services.update_person(person, acting_user=operator, reason="未改动", name=person.name)
    assert published.history.count() == before
    assert tree["A"].history.count() == 1
    assert person.history.count() == 1
    # Through the admin: the unchanged form saved with a reason adds nothing either.
    from tests.cross.test_admin_writes import record_form

    client.force_login(users["caseworker_a"])
    record = CreditRecord.objects.get(pk=published.pk)
    response = client.post(
        reverse("admin:registry_creditrecord_change", args=[record.pk]), record_form(record, change_reason="只是保存")
    )
    assert response.status_code == 302
    assert published.history.count() == before
    # A real change still writes its row (a published record changes by an approved correction).
    with transaction.atomic():
        correction = services.propose_correction(
            record, acting_user=users["caseworker_a"], reason="补充", summary="补充事实"
        )
        services.approve_correction(correction, acting_user=users["reviewer_a"], reason="同意")
    assert published.history.count() == before + 1


def test_a_changed_id_number_shows_masked_and_never_the_ciphertext(client, users, tree, make_person, operator):
    old_number = make_id_number(region="530102", birth="19800101", seq=123)
    # Same region and same last four characters: the masks look alike.
    new_number = None
    for day in range(1, 29):
        candidate = make_id_number(region="530102", birth=f"198102{day:02d}", seq=123)
        if candidate[-4:] == old_number[-4:]:
            new_number = candidate
            break
    assert new_number
    person = make_person(tree["A"], name="钱八", id_number=old_number)
    old = Person.objects.get(pk=person.pk)
    with transaction.atomic():
        services.update_person(person, acting_user=operator, reason="更正身份证号", id_number=new_number)
    person.refresh_from_db()
    assert person.id_number_masked == old.id_number_masked
    client.force_login(users["caseworker_a"])
    body = client.get(
        reverse("admin:registry_person_history", args=[person.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert f"{old.id_number_masked}（号码已更换）" in body
    for secret in (old.id_number_encrypted, person.id_number_encrypted, person.id_number_index, old_number, new_number):
        assert secret not in body


def test_system_reasons_and_details_read_as_sentences():
    from django.utils.translation import override

    from creditportal.system_text import render

    with override("zh-hans"):
        assert render("import 名单.csv (job 2)") == "导入 名单.csv（任务 2）"
        assert render("display period ended") == "公示期届满"
        assert render("check 名单.csv: Done") == "校验 名单.csv：已完成"
        assert render("format=xlsx; rows=37; full_id_numbers=no") == "XLSX 文件，37 行，身份证号码已脱敏"
        assert render("format=csv; rows=5; full_id_numbers=yes (3 rows); columns=import") == (
            "CSV 文件，5 行，3 行含完整身份证号码，按导入模板的列"
        )
        assert render("Opened in the admin") == "在管理后台查看"
        assert render("核实异议申请人身份") == "核实异议申请人身份"  # typed by a person: as typed
    with override("en"):
        assert render("import 名单.csv (job 2)") == "import 名单.csv (job 2)"
        assert render("在管理后台查看") == "Opened in the admin"  # stored translated by an older page
        assert render("format=xlsx; rows=37; full_id_numbers=no") == "XLSX file, 37 rows, ID numbers masked"


def test_expiry_reason_reads_as_a_sentence_on_the_history_page(client, users, published):
    from registry.expiry import EXPIRY_REASON

    history = CreditRecord.history.model
    latest = published.history.latest("history_date")
    history.objects.filter(pk=latest.pk).update(history_change_reason=EXPIRY_REASON)
    client.force_login(users["supervisor"])
    table = history_table(client, reverse("admin:registry_creditrecord_history", args=[published.pk]))
    assert "公示期届满" in table and EXPIRY_REASON not in table


def test_every_history_page_is_the_readable_one():
    from django.contrib import admin
    from simple_history.admin import SimpleHistoryAdmin

    from creditportal.history_display import ReadableHistoryMixin

    with_history = [a for a in admin.site._registry.values() if isinstance(a, SimpleHistoryAdmin)]
    assert len(with_history) >= 5
    assert [type(a).__name__ for a in with_history if not isinstance(a, ReadableHistoryMixin)] == []


def test_a_reveal_purpose_stored_in_chinese_reads_in_english():
    from django.utils.translation import override

    from creditportal.system_text import render
    from registry.choices import RevealPurpose

    with override("zh-hans"):
        stored = str(RevealPurpose.OBJECTION.label)
    assert stored != "Reviewing an objection"
    with override("en"):
        assert render(stored) == "Reviewing an objection"


def test_catalogue_and_record_histories_name_related_objects(
    client, users, tree, catalog_item, make_person, make_record, operator
):
    with transaction.atomic():
        services.save_catalog_item(
            catalog_item, acting_user=operator, reason="明确实施部门", recording_departments=[tree["A"], tree["B"]]
        )
    record = make_record(make_person(tree["A"], name="冯九"), tree["A"])
    with transaction.atomic():
        record.department = tree["B"]
        services.save_credit_record(record, acting_user=operator, reason="改由交通运输局办理")
    client.force_login(users["operator"])
    table = history_table(client, reverse("admin:registry_catalogitem_history", args=[catalog_item.pk]))
    assert "昆明市市场监督管理局" in table and "昆明市交通运输局" in table and "明确实施部门" in table
    table = history_table(client, reverse("admin:registry_creditrecord_history", args=[record.pk]))
    assert "部门：昆明市市场监督管理局 (YN-KM-SCJ) → 昆明市交通运输局 (YN-KM-JTJ)" in table
