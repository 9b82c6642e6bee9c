"""Credit repair rules the public site states (State Council credit repair rules).

A record may be repaired once its minimum display period is over: for minor
information as soon as the obligation is performed, for general information
after 3 months (90 days), for serious information after 1 year (365 days), or
after the catalogue item's own minimum for the severity where that is longer.
The period counts from the decision date, as the display period does.
"""

from __future__ import annotations

import datetime

from registry.choices import DEFAULT_DISPLAY_PERIOD_DAYS, Severity


def minimum_display_days(record) -> int:
    """Days the record must be displayed before repair may be asked for."""
    floor = DEFAULT_DISPLAY_PERIOD_DAYS[Severity(record.severity)][0]
    item_min = record.catalog_item.display_bounds(record.severity)[0]
    return max(floor, item_min)


def earliest_repair_date(record) -> datetime.date:
    """The first day on which the record's subject may apply for repair.

    For a minor record with no catalogue minimum this is the decision date: repair
    is possible once the obligation the decision names has been performed."""
    return record.decision_date + datetime.timedelta(days=minimum_display_days(record))
