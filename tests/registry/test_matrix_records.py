"""The registry's rows of the permission matrix for credit records, their import
pages and actions (a file of its own, so that test workers share the matrix)."""

from __future__ import annotations

from registry.models import CreditRecord
from tests.matrix import AdminMatrix


class CreditRecordMatrix(AdminMatrix):
    model = CreditRecord
    route_objects = {"import_job": "importjob", "import_errors": "importjob"}
    payloads = {"import_job": {"action": "recheck"}}
    change = {"summary": "矩阵测试改写的事实"}

    def secret(self, obj):
        return obj.decision_no

    table = """
                                             anon citizen norole cw_a         cw_b         rev_a       pub_a        sup           admin oper
        GET+POST import                      L    L       403    200          200          403         403          200           200   200
        GET+POST import_template_csv         L    L       403    200          200          403         403          200           200   200
        GET+POST import_template_xlsx        L    L       403    200          200          403         403          200           200   200
        GET      import_job                  L    L       404    200/404/404  404/200/404  200/404/404 200/404/404  200/200/404   200   200
        POST     import_job                  L    L       404    302+/404/404 404/302+/404 403/404/404 403/404/404  302+/302+/404 302+  302+
        GET+POST import_errors               L    L       404    200/404/404  404/200/404  200/404/404 200/404/404  200/200/404   200   200
        GET      simple_history              L    L       404    200/404/404  404/200/404  200/404/404 200/404/404  200/200/404   200   200
        POST     simple_history              L    L       404    405/404/404  404/405/404  405/404/404 405/404/404  405/405/404   405   405
        GET+POST changelist                  L    L       403    200          200          200         200          200           200   200
        GET+POST add                         L    L       403    200          200          403         403          200           200   200
        GET+POST history                     L    L       404    200/404/404  404/200/404  200/404/404 200/404/404  200/200/404   200   200
        GET+POST delete                      L    L       404    403/404/404  404/403/404  403/404/404 403/404/404  403/403/404   403   403
        GET      change                      L    L       404    200/404/404  404/200/404  200/404/404 200/404/404  200/200/404   200   200
        POST     change                      L    L       404    302+/404/404 404/302+/404 403/404/404 403/404/404  302+/302+/404 302+  302+
        GET+POST <path:object_id>/           L    L       302    302          302          302         302          302           302   302
        POST     action:delete_selected      L    L       403    302          302          302         302          302           302   302
        POST     action:publish_selected     L    L       403    302          302          302         302+/302/302 302+/302+/302 302+  302+
        # An export of records one does not see is an empty file, its attempt logged (rows=0).
        POST     action:export_selected_csv  L    L       403    200+         200+         200+        200+         200+          200+  200+
        POST     action:export_selected_xlsx L    L       403    200+         200+         200+        200+         200+          200+  200+
        POST     action:expire_now           L    L       403    302          302          302         302          302           302   302+
        LIST     changelist             -    -       -      A           B           A           A           A,B         A,B,C A,B,C
        CHOICES  add:department         -    -       -      A            B            -            -           KM,A,B        YN,KM,QJ,A,B,C YN,KM,QJ,A,B,C
    """
