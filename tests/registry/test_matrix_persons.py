"""The registry's rows of the permission matrix for persons (a file of its own, so
that test workers share the matrix; tests/registry/test_matrix.py has the others)."""

from __future__ import annotations

from registry.models import Person
from tests.matrix import AdminMatrix


class PersonMatrix(AdminMatrix):
    model = Person
    change = {"phone": "13800000000"}
    payloads = {
        "find": lambda self, obj: {"id_number": self.world.objects["A"]["person"].id_number},
        "reveal": {"purpose": "objection", "detail": "核实异议申请人身份"},
    }

    def secret(self, obj):
        return obj.name

    table = """
                                        anon citizen norole cw_a         cw_b         rev_a        pub_a       sup           admin oper
        GET      find                   L    L       403    200          200          200          200         200           200   200
        POST     find                   L    L       403    302+         200+         302+         302+        302+          302+  302+
        GET      reveal                 L    L       404    200/404/404  404/200/404  200/404/404  403/404/404 200/200/404   200   200
        POST     reveal                 L    L       404    200+/404/404 404/200+/404 200+/404/404 403/404/404 200+/200+/404 200+  200+
        GET      simple_history         L    L       404    200/404/404  404/200/404  200/404/404  200/404/404 200/200/404   200   200
        POST     simple_history         L    L       404    405/404/404  404/405/404  405/404/404  405/404/404 405/405/404   405   405
        GET+POST changelist             L    L       403    200          200          200          200         200           200   200
        GET+POST add                    L    L       403    200          200          403          403         200           200   200
        GET+POST history                L    L       404    200/404/404  404/200/404  200/404/404  200/404/404 200/200/404   200   200
        GET+POST delete                 L    L       404    403/404/404  404/403/404  403/404/404  403/404/404 403/403/404   403   403
        GET      change                 L    L       404    200/404/404  404/200/404  200/404/404  200/404/404 200/200/404   200   200
        POST     change                 L    L       404    302+/404/404 404/302+/404 403/404/404  403/404/404 302+/302+/404 302+  302+
        GET+POST <path:object_id>/      L    L       302    302          302          302          302         302           302   302
        POST     action:delete_selected L    L       403    200          200          200          200         200           200   200
        LIST     changelist             -    -       -      A           B           A           A           A,B         A,B,C A,B,C
        CHOICES  add:registered_by      -    -       -      A            B            -            -           KM,A,B        YN,KM,QJ,A,B,C YN,KM,QJ,A,B,C
    """
