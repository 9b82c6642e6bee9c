"""The repair app's rows of the permission matrix (tests/matrix.py says how to read them):
the public pages answer everyone alike (staff accounts are nobody special there);
the verification codes' admin pages are read-only, for supervisors and administrators,
each seeing the codes of the persons in their departments."""

from __future__ import annotations

from repair.models import VerificationCode
from tests.matrix import AdminMatrix


class PublicPagesMatrix(AdminMatrix):
    """The public site's pages: open to everyone, staff or not. Without a pending
    request the code page sends back to the form; without a verification, so does
    the verified page. The forms' POST rows send an empty form (refused, nothing written)."""

    table = """
                                    anon citizen norole cw_a cw_b rev_a pub_a sup  admin oper
        GET      repair:home        200  200     200    200  200  200   200   200  200   200
        POST     repair:home        405  405     405    405  405  405   405   405  405   405
        GET      repair:privacy     200  200     200    200  200  200   200   200  200   200
        POST     repair:privacy     405  405     405    405  405  405   405   405  405   405
        GET      repair:verify      200  200     200    200  200  200   200   200  200   200
        POST     repair:verify      400  400     400    400  400  400   400   400  400   400
        GET      repair:verify_code 302  302     302    302  302  302   302   302  302   302
        POST     repair:verify_code 302  302     302    302  302  302   302   302  302   302
        GET      repair:me          302  302     302    302  302  302   302   302  302   302
        POST     repair:me          302  302     302    302  302  302   302   302  302   302
        GET      repair:sign_out    405  405     405    405  405  405   405   405  405   405
        POST     repair:sign_out    302  302     302    302  302  302   302   302  302   302
    """


class VerificationCodeMatrix(AdminMatrix):
    """A code for each of the persons of A, B and C (asked for on the public site)."""

    model = VerificationCode

    @classmethod
    def setUpTestData(cls):
        from django.core.cache import cache

        from repair import services

        super().setUpTestData()
        cls.codes = {}
        for key, objs in cls.world.objects.items():
            person = services.record_contact_at_window(
                objs["person"], acting_user=cls.world.users["operator"], email=f"{key.lower()}@example.cn"
            )
            services.request_code(name=person.name, id_number=person.id_number, address="10.9.9.9")
            cls.codes[key] = VerificationCode.objects.get(person=person)
        cache.clear()

    def objects(self, route):
        return dict(self.codes)

    table = """
                                        anon citizen norole cw_a        cw_b        rev_a       pub_a       sup         admin oper
        GET      simple_history         L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 200/200/404 200   200
        POST     simple_history         L    L       404    403/404/404 404/403/404 403/404/404 403/404/404 405/405/404 405   405
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
