"""The repair app's rows of the permission matrix (tests/matrix.py says how to read them):
the public pages answer everyone alike; they take no POST."""

from __future__ import annotations

from tests.matrix import AdminMatrix


class PublicPagesMatrix(AdminMatrix):
    """The public site's pages: open to everyone, staff or not."""

    table = """
                                anon citizen norole cw_a cw_b rev_a pub_a sup admin oper
        GET      repair:home    200  200     200    200  200  200   200   200 200   200
        POST     repair:home    405  405     405    405  405  405   405   405 405   405
        GET      repair:privacy 200  200     200    200  200  200   200   200 200   200
        POST     repair:privacy 405  405     405    405  405  405   405   405 405   405
    """
