"""The registry's rows of the permission matrix: every admin page, custom view and
action of the registry's models, for every role (tests/matrix.py says how to read them).

Departments A and B are under KM, C under QJ, all under YN. caseworker_a, reviewer_a and
publisher_a hold department A, caseworker_b department B, the supervisor KM (A and B),
the administrator YN (all); the operator is a superuser; norole is staff without a grant;
the citizen has an account but is not staff. Nothing is deleted through the admin: every
delete is refused, for every role.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, User

from registry.models import (
    AccessLog,
    CalendarDay,
    CatalogItem,
    CreditRecord,
    Department,
    DisplayHold,
    ImportJob,
    Notification,
    RecordCorrection,
    RoleGrant,
)
from tests.matrix import AdminMatrix


class DepartmentMatrix(AdminMatrix):
    model = Department
    change = {"name": "矩阵测试改名"}
    table = """
                                        anon citizen norole cw_a        cw_b        rev_a       pub_a       sup         admin oper
        GET      simple_history         L    L       404    200/404/404 404/200/404 200/404/404 200/404/404 200/200/404 200   200
        POST     simple_history         L    L       404    405/404/404 404/405/404 405/404/404 405/404/404 405/405/404 405   405
        GET+POST changelist             L    L       403    200         200         200         200         200         200   200
        GET+POST add                    L    L       403    403         403         403         403         403         200   200
        GET+POST history                L    L       404    200/404/404 404/200/404 200/404/404 200/404/404 200/200/404 200   200
        GET+POST delete                 L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 403/403/404 403   403
        GET      change                 L    L       404    200/404/404 404/200/404 200/404/404 200/404/404 200/200/404 200   200
        POST     change                 L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 403/403/404 302+  302+
        GET+POST <path:object_id>/      L    L       302    302         302         302         302         302         302   302
        POST     action:delete_selected L    L       403    200         200         200         200         200         200   200
        GET      import                 L    L       403    403         403         403         403         403         200   200
        POST     import                 L    L       403    403         403         403         403         403         200   200
        GET      process_import         L    L       405    405         405         405         405         405         405   405
        POST     process_import         L    L       403    403         403         403         403         403         200   200
        GET+POST export                 L    L       403    200         200         200         200         200         200   200
        LIST     changelist             -    -       -      A           B           A           A           A,B         A,B,C A,B,C
    """


class CatalogItemMatrix(AdminMatrix):
    model = CatalogItem
    change = {"name": "矩阵测试改名"}

    def objects(self, route):
        return {"item": self.world.catalog_item}

    table = """
                                        anon citizen norole cw_a cw_b rev_a pub_a sup admin oper
        GET      simple_history         L    L       403    200  200  200   200   200 200   200
        POST     simple_history         L    L       403    405  405  405   405   405 405   405
        GET+POST changelist             L    L       403    200  200  200   200   200 200   200
        GET+POST add                    L    L       403    403  403  403   403   403 200   200
        GET+POST history                L    L       403    200  200  200   200   200 200   200
        GET+POST delete                 L    L       403    403  403  403   403   403 403   403
        GET      change                 L    L       403    200  200  200   200   200 200   200
        POST     change                 L    L       403    403  403  403   403   403 302+  302+
        GET+POST <path:object_id>/      L    L       302    302  302  302   302   302 302   302
        POST     action:delete_selected L    L       403    200  200  200   200   200 200   200
        GET      import                 L    L       403    403  403  403   403   403 200   200
        POST     import                 L    L       403    403  403  403   403   403 200   200
        GET      process_import         L    L       405    405  405  405   405   405 405   405
        POST     process_import         L    L       403    403  403  403   403   403 200   200
        GET+POST export                 L    L       403    200  200  200   200   200 200   200
    """


class CalendarDayMatrix(AdminMatrix):
    model = CalendarDay
    change = {"name": "矩阵测试改名"}

    @classmethod
    def setUpTestData(cls):
        import datetime

        from django.db import transaction

        from registry import services

        super().setUpTestData()
        with transaction.atomic():
            cls.day = services.save_calendar_day(
                CalendarDay(
                    date=datetime.date(2027, 2, 6), kind="holiday", name="春节", notice="国办发明电〔2026〕1号"
                ),
                acting_user=cls.world.users["operator"],
                reason="test",
            )

    def objects(self, route):
        return {"day": self.day}

    table = """
                                        anon citizen norole cw_a cw_b rev_a pub_a sup admin oper
        GET      simple_history         L    L       403    200  200  200   200   200 200   200
        POST     simple_history         L    L       403    405  405  405   405   405 405   405
        GET+POST changelist             L    L       403    200  200  200   200   200 200   200
        GET+POST add                    L    L       403    403  403  403   403   403 200   200
        GET+POST history                L    L       403    200  200  200   200   200 200   200
        GET+POST delete                 L    L       403    403  403  403   403   403 403   403
        GET      change                 L    L       403    200  200  200   200   200 200   200
        POST     change                 L    L       403    403  403  403   403   403 302+  302+
        GET+POST <path:object_id>/      L    L       302    302  302  302   302   302 302   302
        POST     action:delete_selected L    L       403    200  200  200   200   200 200   200
        GET      import                 L    L       403    403  403  403   403   403 200   200
        POST     import                 L    L       403    403  403  403   403   403 200   200
        GET      process_import         L    L       405    405  405  405   405   405 405   405
        POST     process_import         L    L       403    403  403  403   403   403 200   200
        GET+POST export                 L    L       403    200  200  200   200   200 200   200
    """


class DisplayHoldMatrix(AdminMatrix):
    """Holds (a court order, a review, an objection) on the records of A, B and C."""

    model = DisplayHold

    @classmethod
    def setUpTestData(cls):
        from django.db import transaction

        from registry import services

        super().setUpTestData()
        cls.holds = {}
        for key, objs in cls.world.objects.items():
            with transaction.atomic():
                cls.holds[key] = services.open_hold(objs["creditrecord"], source="court_order",
                                                    reference=f"HOLD-{key}", acting_user=cls.world.users["operator"],
                                                    reason="test")  # fmt: skip

    def objects(self, route):
        return dict(self.holds)

    table = """
                                        anon citizen norole cw_a        cw_b        rev_a        pub_a       sup           admin oper
        GET      simple_history         L    L       404    200/404/404 404/200/404 200/404/404  200/404/404 200/200/404   200   200
        POST     simple_history         L    L       404    405/404/404 404/405/404 405/404/404  405/404/404 405/405/404   405   405
        GET+POST changelist             L    L       403    200         200         200          200         200           200   200
        GET+POST add                    L    L       403    403         403         200          403         200           200   200
        GET+POST history                L    L       404    200/404/404 404/200/404 200/404/404  200/404/404 200/200/404   200   200
        GET+POST delete                 L    L       404    403/404/404 404/403/404 403/404/404  403/404/404 403/403/404   403   403
        GET      change                 L    L       404    200/404/404 404/200/404 200/404/404  200/404/404 200/200/404   200   200
        POST     change                 L    L       404    403/404/404 404/403/404 403/404/404  403/404/404 403/403/404   403   403
        GET+POST <path:object_id>/      L    L       302    302         302         302          302         302           302   302
        POST     action:delete_selected L    L       403    200         200         302          200         302           302   302
        POST     action:close_selected  L    L       403    200         200         302+/302/302 200         302+/302+/302 302+  302+
        LIST     changelist             -    -       -      A           B           A            A           A,B           A,B,C A,B,C
    """


class RecordCorrectionMatrix(AdminMatrix):
    """In A, B and C a published record with a correction proposed by the operator
    (so the operator's own approval is refused: two people)."""

    model = RecordCorrection

    @classmethod
    def setUpTestData(cls):
        from django.db import transaction

        from registry import services

        super().setUpTestData()
        operator = cls.world.users["operator"]
        cls.corrections = {}
        for key, objs in cls.world.objects.items():
            with transaction.atomic():
                record = services.save_credit_record(
                    CreditRecord(person=objs["person"], department=objs["department"],
                                 catalog_item=cls.world.catalog_item, decision_no=f"PUB-{key}", severity="general",
                                 decision_date=objs["creditrecord"].decision_date, summary="未按规定履行义务"),
                    acting_user=operator, reason="test",
                )  # fmt: skip
                services.publish_records([record], acting_user=operator, reason="test")
                cls.corrections[key] = services.propose_correction(
                    record, acting_user=operator, reason="test", summary="更正后的事实"
                )

    def objects(self, route):
        return dict(self.corrections)

    # Nobody adds or edits a correction here (it is proposed from the record's form); a
    # reviewer or publisher of A approves or rejects A's, never the operator who proposed them.
    table = """
                                          anon citizen norole cw_a         cw_b         rev_a        pub_a        sup           admin oper
        GET      simple_history           L    L       404    200/404/404  404/200/404  200/404/404  200/404/404  200/200/404   200   200
        POST     simple_history           L    L       404    405/404/404  404/405/404  405/404/404  405/404/404  405/405/404   405   405
        GET+POST changelist               L    L       403    200          200          200          200          200           200   200
        GET+POST add                      L    L       403    403          403          403          403          403           403   403
        GET+POST history                  L    L       404    200/404/404  404/200/404  200/404/404  200/404/404  200/200/404   200   200
        GET+POST delete                   L    L       404    403/404/404  404/403/404  403/404/404  403/404/404  403/403/404   403   403
        GET      change                   L    L       404    200/404/404  404/200/404  200/404/404  200/404/404  200/200/404   200   200
        POST     change                   L    L       404    403/404/404  404/403/404  403/404/404  403/404/404  403/403/404   403   403
        GET+POST <path:object_id>/        L    L       302    302          302          302          302          302           302   302
        POST     action:delete_selected   L    L       403    302          302          302          302          302           302   302
        POST     action:approve_selected  L    L       403    302          302          302+/302/302 302+/302/302 302+/302+/302 302+  302
        POST     action:reject_selected   L    L       403    302          302          302+/302/302 302+/302/302 302+/302+/302 302+  302
        POST     action:withdraw_selected L    L       403    302+/302/302 302/302+/302 302          302          302+/302+/302 302+  302+
        LIST     changelist               -    -       -      A            B            A            A            A,B           A,B,C A,B,C
    """


class RoleGrantMatrix(AdminMatrix):
    model = RoleGrant
    change = {"is_active": None}  # unticked: the grant is revoked
    table = """
                                        anon citizen norole cw_a        cw_b        rev_a       pub_a       sup         admin oper
        GET      simple_history         L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 200/200/404 200   200
        POST     simple_history         L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 405/405/404 405   405
        GET+POST changelist             L    L       403    403         403         403         403         200         200   200
        GET+POST add                    L    L       403    403         403         403         403         403         200   200
        GET+POST history                L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 200/200/404 200   200
        GET+POST delete                 L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 403/403/404 403   403
        GET      change                 L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 200/200/404 200   200
        POST     change                 L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 403/403/404 302+  302+
        GET+POST <path:object_id>/      L    L       302    302         302         302         302         302         302   302
        POST     action:delete_selected L    L       403    403         403         403         403         200         200   200
        LIST     changelist             -    -       -      -           -           -           -           A,B         A,B,C A,B,C
        CHOICES  add:department         -    -       -      -           -           -           -           -           YN,KM,QJ,A,B,C YN,KM,QJ,A,B,C
    """


class AccessLogMatrix(AdminMatrix):
    model = AccessLog
    table = """
                                        anon citizen norole cw_a        cw_b        rev_a       pub_a       sup         admin oper
        GET+POST changelist             L    L       403    403         403         403         403         200         200   200
        GET+POST add                    L    L       403    403         403         403         403         403         403   403
        GET+POST history                L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 200/200/404 200   200
        GET+POST delete                 L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 403/403/404 403   403
        GET      change                 L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 200/200/404 200   200
        POST     change                 L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 403/403/404 403   403
        GET+POST <path:object_id>/      L    L       302    302         302         302         302         302         302   302
        POST     action:delete_selected L    L       403    403         403         403         403         200         200   200
        LIST     changelist             -    -       -      -           -           -           -           A,B         A,B,C A,B,C
    """


class ImportJobMatrix(AdminMatrix):
    model = ImportJob
    table = """
                                        anon citizen norole cw_a        cw_b        rev_a       pub_a       sup         admin oper
        GET+POST errors                 L    L       404    200/404/404 404/200/404 200/404/404 200/404/404 200/200/404 200   200
        GET      simple_history         L    L       404    200/404/404 404/200/404 200/404/404 200/404/404 200/200/404 200   200
        POST     simple_history         L    L       404    405/404/404 404/405/404 405/404/404 405/404/404 405/405/404 405   405
        GET+POST changelist             L    L       403    200         200         200         200         200         200   200
        GET+POST add                    L    L       403    403         403         403         403         403         403   403
        GET+POST history                L    L       404    200/404/404 404/200/404 200/404/404 200/404/404 200/200/404 200   200
        GET+POST delete                 L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 403/403/404 403   403
        GET      change                 L    L       404    200/404/404 404/200/404 200/404/404 200/404/404 200/200/404 200   200
        POST     change                 L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 403/403/404 403   403
        GET+POST <path:object_id>/      L    L       302    302         302         302         302         302         302   302
        POST     action:delete_selected L    L       403    200         200         200         200         200         200   200
        LIST     changelist             -    -       -      A           B           A           A           A,B         A,B,C A,B,C
    """


class NotificationMatrix(AdminMatrix):
    """Notifications about cases of A, B and C (written by steps, never by hand); those
    who may change them send failed ones again."""

    model = Notification

    @classmethod
    def setUpTestData(cls):
        from django.db import transaction

        from registry.notifications.services import deliver, notify

        super().setUpTestData()
        cls.notes = {}
        for key, objs in cls.world.objects.items():
            with transaction.atomic():
                cls.notes[key] = notify(
                    recipient=objs["person"],
                    template="application_received",
                    department=objs["department"],
                    case=objs["creditrecord"],
                    context={"case_label": f"异议 {key}"},
                    acting_user=cls.world.users["operator"],
                )
            # The persons have no e-mail address registered: the send fails at once.
            deliver(cls.notes[key].pk)

    def objects(self, route):
        return dict(self.notes)

    # The notifications have failed (no address): send_again re-queues those in the user's departments.
    table = """
                                        anon citizen norole cw_a        cw_b        rev_a       pub_a       sup         admin oper
        GET      simple_history         L    L       404    200/404/404 404/200/404 200/404/404 200/404/404 200/200/404 200   200
        POST     simple_history         L    L       404    405/404/404 404/405/404 405/404/404 405/404/404 405/405/404 405   405
        GET+POST changelist             L    L       403    200         200         200         200         200         200   200
        GET+POST add                    L    L       403    403         403         403         403         403         403   403
        GET+POST history                L    L       404    200/404/404 404/200/404 200/404/404 200/404/404 200/200/404 200   200
        GET+POST delete                 L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 403/403/404 403   403
        GET      change                 L    L       404    200/404/404 404/200/404 200/404/404 200/404/404 200/200/404 200   200
        POST     change                 L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 403/403/404 403   403
        GET+POST <path:object_id>/      L    L       302    302         302         302         302         302         302   302
        POST     action:delete_selected L    L       403    302         302         200         200         302         302   302
        POST     action:send_again      L    L       403    302+/302/302 302/302+/302 200        200         302+/302+/302 302+ 302+
        LIST     changelist             -    -       -      A           B           A           A           A,B         A,B,C A,B,C
    """


class UserMatrix(AdminMatrix):
    model = User

    def objects(self, route):
        return {"cw_a": self.world.users["caseworker_a"], "citizen": self.world.users["citizen"]}

    # Administrators manage staff accounts (registry.accounts: reason and history);
    # superuser status, groups and permissions only operators. The operator's
    # change of cw_a answers 200: the form as the operator sees it carries cw_a's
    # role group, which the groups field does not offer (roles come from grants).
    table = """
                                        anon citizen norole cw_a cw_b rev_a pub_a sup admin oper
        # An earlier version is read only: a POST to it answers 405 (nothing is reverted).
        GET      simple_history         L    L       403    403  403  403   403   403 200   200
        POST     simple_history         L    L       403    403  403  403   403   403 405   405
        GET+POST password_change        L    L       403    403  403  403   403   403 200   200
        GET+POST changelist             L    L       403    403  403  403   403   403 200   200
        GET+POST add                    L    L       403    403  403  403   403   403 200   200
        GET+POST history                L    L       403    403  403  403   403   403 200   200
        # Accounts are deactivated, never deleted (history and the access log name them).
        GET+POST delete                 L    L       403    403  403  403   403   403 403   403
        GET      change                 L    L       403    403  403  403   403   403 200   200
        POST     change                 L    L       403    403  403  403   403   403 302+  200/302+
        GET+POST <path:object_id>/      L    L       302    302  302  302   302   302 302   302
        POST     action:delete_selected L    L       403    403  403  403   403   403 200   200
    """


class GroupMatrix(AdminMatrix):
    model = Group

    def objects(self, route):
        return {"caseworker": Group.objects.get(name="caseworker")}

    table = """
                                        anon citizen norole cw_a cw_b rev_a pub_a sup admin oper
        GET+POST changelist             L    L       403    403  403  403   403   403 403   200
        GET+POST add                    L    L       403    403  403  403   403   403 403   200
        GET+POST history                L    L       403    403  403  403   403   403 403   200
        # A role's group is not deleted (every grant of the role rests on it):
        # BUG reported to the coordinator: today the operator deletes it.
        GET+POST delete                 L    L       403    403  403  403   403   403 403   403
        GET      change                 L    L       403    403  403  403   403   403 403   200
        POST     change                 L    L       403    403  403  403   403   403 403   302+
        GET+POST <path:object_id>/      L    L       302    302  302  302   302   302 302   302
        POST     action:delete_selected L    L       403    403  403  403   403   403 403   200
    """
