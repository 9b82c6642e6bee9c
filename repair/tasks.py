"""Background work of the repair app."""

from __future__ import annotations

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_verification_code(code_id: int, code: str, language: str) -> None:
    """Send a one-time code (the code travels only in the task message, never stored in clear)."""
    from .services import deliver_code

    deliver_code(code_id, code, language)
