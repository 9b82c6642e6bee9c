"""Text the system writes into history reasons and the access log, shown in the reader's language.

History reasons and access-log purposes and details are stored as plain text
and never rewritten (the log is append-only, history is history). The system
writes them in a stable machine form (``import x.csv (job 2)``,
``format=xlsx; rows=37; full_id_numbers=no``); apps register each form here
with a translatable sentence, and pages show :func:`render` of the stored text:
``导入 x.csv（任务 2）`` to a Chinese reader, ``import x.csv (job 2)`` to an
English one. A known sentence stored already translated (written by a page
that used ``gettext`` at the time) is recognised in either language. Text a
person typed (a caseworker's reason) is shown as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext, override

ParamRenderer = Callable[[str], str]

_PATTERNS: list[tuple[re.Pattern, object, dict[str, ParamRenderer]]] = []
_FORMATTERS: list[Callable[[str], str | None]] = []
_SENTENCES: list[str] = []
_MASKERS: list[Callable[[str], str]] = []
_reverse: dict[str, str] | None = None


def register_pattern(regex: str, sentence, **renderers: ParamRenderer) -> None:
    """A stored text matching ``regex`` (whole) is shown as ``sentence`` (a lazy
    translation with ``%(group)s`` placeholders); a named group's value goes
    through its renderer, if given (e.g. a status code to its label)."""
    _PATTERNS.append((re.compile(regex, re.DOTALL), sentence, renderers))


def register_formatter(formatter: Callable[[str], str | None]) -> None:
    """A function that turns a stored text into a sentence, or returns None."""
    _FORMATTERS.append(formatter)


def register_masker(masker: Callable[[str], str]) -> None:
    """A function that hides what must never be stored or shown in full in
    free text (the registry's: ID numbers, however written). Applied by
    :func:`mask` to every reason, purpose and detail, typed or written."""
    if masker not in _MASKERS:
        _MASKERS.append(masker)


def mask(text: str) -> str:
    """``text`` with every registered masker applied."""
    for masker in _MASKERS:
        text = masker(text)
    return text


def register_sentences(*msgids) -> None:
    """Fixed sentences (their English msgid, or a lazy translation such as a
    choice's label) that may be stored in any of the site's languages."""
    global _reverse
    _SENTENCES.extend(msgids)
    _reverse = None


def _translated_forms() -> dict[str, str]:
    """Every stored form of a known sentence (its msgid and its translations) -> its msgid."""
    global _reverse
    if _reverse is None:
        from django.conf import settings

        forms = {}
        for sentence_ in _SENTENCES:
            if isinstance(sentence_, str):
                msgid = sentence_
            else:  # a lazy translation (a choice's label): its English form is the msgid
                with override("en"):
                    msgid = str(sentence_)
            forms[msgid] = msgid
            for code, _name in settings.LANGUAGES:
                with override(code):
                    forms.setdefault(gettext(msgid), msgid)
        _reverse = forms
    return _reverse


def sentence(text: str) -> str:
    """A known sentence, stored in any language, in the current language; else None."""
    msgid = _translated_forms().get(text)
    return gettext(msgid) if msgid is not None else None


def render(stored: str | None) -> str:
    """``stored`` (a reason, purpose or detail) as the current reader should read
    it; masked (:func:`mask`), also when it was stored before masking on write."""
    if not stored:
        return stored or ""
    return mask(_render(stored))


def _render(stored: str) -> str:
    text = stored.strip()
    known = sentence(text)
    if known is not None:
        return known
    for regex, template, renderers in _PATTERNS:
        match = regex.fullmatch(text)
        if match:
            params = {
                name: renderers[name](value) if name in renderers else value
                for name, value in match.groupdict(default="").items()
            }
            return str(template) % params
    for formatter in _FORMATTERS:
        shown = formatter(text)
        if shown is not None:
            return shown
    return stored


def label_renderer(choices) -> ParamRenderer:
    """A renderer for a stored choice (its value, or its label in any language) -> its label now."""
    from django.conf import settings

    def _render(value: str) -> str:
        value = value.strip()
        for choice in choices:
            if value == choice.value:
                return str(choice.label)
            for code, _name in settings.LANGUAGES:
                with override(code):
                    stored_label = str(choice.label)
                if value == stored_label:
                    return str(choice.label)
        return sentence(value) or value

    return _render
