"""Template context for the admin pages."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .roles import CALENDAR_CHANGE_PERM


def holiday_schedule(request):
    """``missing_holiday_years``: years whose holiday schedule nobody has entered
    yet (see ``registry.workdays.missing_years``), for users who may enter it;
    empty for everyone else. Lazy: computed only on a page that shows it (the admin index)."""

    def missing():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.has_perm(CALENDAR_CHANGE_PERM):
            return []
        from .workdays import missing_years

        return missing_years()

    return {"missing_holiday_years": SimpleLazyObject(missing)}
