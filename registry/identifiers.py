"""Personal and organisation identifiers: validation, normalisation, masking.

The one place that knows what a resident ID number (GB 11643-1999) and a
unified social credit code (GB 32100-2015) look like. python-stdnum supplies
the check-character algorithms and the region table; this module adds
normalisation (full-width digits, spaces, lower-case ``x``), a distinct
message for each kind of failure, and masking.

Beside the ordinary functions stand fast paths for the import, which checks and
masks every row of a file: :func:`id_check_character` (python-stdnum's check
character by table lookups) and :func:`mask_resident_id` (``mask_id`` for a number
already normalised). tests/registry/test_fast_paths.py holds each against the
ordinary one on random input.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote_plus

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

ID_LENGTH = 18
LEGACY_ID_LENGTH = 15
MASK_CHAR = "*"

# Anything that may be a resident ID number inside free text, in every way one is
# written: a run of digits (ASCII or full-width) that may be broken by spaces
# (also no-break and ideographic ones) or dashes, at most three together, and may
# end in an X (either case, either width). ``static/creditportal/id-guard.js``
# holds the same pattern string (the admin's search boxes use it before a URL is
# formed); tests/registry/test_id_shapes.py checks that they agree, and both the
# Python and the browser tests run tests/id_shapes.json through them.
ID_RUN_PATTERN = (
    r"(?<![0-9\uff10-\uff19])[0-9\uff10-\uff19]+"
    r"(?:[ \t\u00a0\u3000\-\u2010-\u2015\u2212\uff0d]{1,3}[0-9\uff10-\uff19]+)*"
    r"[Xx\uff38\uff58]?(?![0-9\uff10-\uff19])"
)
ID_RUN = re.compile(ID_RUN_PATTERN)
ID_RUN_SEPARATORS = frozenset(" \t\u00a0\u3000-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d")
# A run is ID-shaped when it has at least 15 characters (the legacy length) and,
# unbroken, at most 18: one unbroken run of 19 digits or more is some other
# number, but a broken one may be an ID number followed or preceded by another
# number ("5301 0219 9001 0112 34 2"), so it is masked whatever its length. Letters
# around it do not matter ("ID530102...", "xxx530102..."): masking a little too
# much in a log or an error report is harmless, too little is not.
ID_RUN_MIN = LEGACY_ID_LENGTH
ID_RUN_MAX_UNBROKEN = ID_LENGTH
# Masking keeps the first six and the last four characters of the run, as
# mask_id does: whatever an ID number's place inside a longer run, no more of it
# shows than of a masked number.
MASK_KEEP_START, MASK_KEEP_END = 6, 4

MESSAGES = {
    "empty": _("Enter a resident ID number."),
    "legacy": _(
        "This is a legacy 15-digit ID number; enter the 18-digit number from the current resident identity card."
    ),
    "length": _("A resident ID number has 18 characters; this one has %(length)d."),
    "format": _("A resident ID number is 17 digits followed by a digit or X."),
    "checksum": _(
        "The check character (the last one) does not match the other 17: a character was mistyped somewhere."
    ),
    # The birth date is not repeated: next to a masked number (first six and last
    # four characters shown) it would give away the whole of it.
    "birth_date": _("Characters 7-14 are not a possible birth date."),
    "future_birth_date": _("The birth date (characters 7-14) is in the future."),
    "region": _("Characters 1-6 (%(value)s) are not a known administrative region code."),
}

USCC_MESSAGES = {
    "empty": _("Enter a unified social credit code."),
    "length": _("A unified social credit code has 18 characters; this one has %(length)d."),
    "format": _("A unified social credit code uses only digits and the letters 0-9 A-H J-N P-R T-U W-Y."),
    "checksum": _("The check character of the unified social credit code is wrong."),
}


FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Spaces a cell or a typed value may carry around it: ideographic and no-break
# spaces, stray BOMs and zero-width spaces included.
STRIP_CHARS = " \t\r\n\u3000\u00a0\ufeff\u200b"


def normalise_document_number(value: str) -> str:
    """``昆罚〔２０２６〕１号 `` -> ``昆罚〔2026〕1号``: a decision document number as the
    import reads it (full-width digits and surrounding spaces are typing accidents),
    so that a record entered by hand and the same one in a spreadsheet match."""
    return value.translate(FULL_WIDTH_DIGITS).strip(STRIP_CHARS)


def normalise(value: str | None) -> str:
    """Full-width to half-width, drop spaces and separators, upper-case ``x``."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = re.sub(r"[\s\-]", "", text)
    return text.upper()


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: datetime.date

    @property
    def masked(self) -> str:
        return mask_id(self.number)


@lru_cache(maxsize=8192)
def _region_periods(code: str) -> tuple[tuple[int | None, int | None], ...] | None:
    """Return the validity periods of a region code (cached: codes repeat).

    ``None`` when the code is unknown; an empty bound means open-ended.
    """
    results = numdb.get("cn/loc").info(code)
    info = {k: v for _part, props in results for k, v in props.items()}
    if not info or "county" not in info:
        return None
    periods = []
    for county in info["county"].split(","):
        if not county.startswith("["):
            periods.append((None, None))
            continue
        startend = county[1:].split("]")[0]
        start, end = startend.split("-")
        periods.append((int(start) if start else None, int(end) if end else None))
    return tuple(periods)


def region_valid_in(code: str, year: int) -> bool:
    """Could a person born in ``year`` hold a number with this region code?

    A code is assigned when the number is issued, which is at or after birth
    (often years after, for people born before 1985), so the code must have
    been in use at some time from the birth year on: a code abolished before
    the person was born is refused, a code created after it is not.
    """
    periods = _region_periods(code)
    if not periods:
        return False
    return any(end is None or end >= year for _start, end in periods)


def validate_resident_id(value: str | None, *, today: datetime.date | None = None) -> ResidentId:
    """Validate and normalise a resident ID number, or raise ``ValidationError``.

    Each failure has its own code and message: empty, legacy (15 digits),
    length, format, checksum, birth_date, future_birth_date, region.
    """
    number = normalise(value)
    if not number:
        raise ValidationError(MESSAGES["empty"], code="empty")
    if len(number) == LEGACY_ID_LENGTH and number.isdigit():
        raise ValidationError(MESSAGES["legacy"], code="legacy")
    if len(number) != ID_LENGTH:
        raise ValidationError(MESSAGES["length"], code="length", params={"length": len(number)})
    if not (number[:-1].isdigit() and (number[-1].isdigit() or number[-1] == "X")):
        raise ValidationError(MESSAGES["format"], code="format")
    expected = ric.calc_check_digit(number)
    if number[-1] != expected:
        raise ValidationError(MESSAGES["checksum"], code="checksum")
    try:
        birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(MESSAGES["birth_date"], code="birth_date") from None
    if birth_date.year < 1850:
        raise ValidationError(MESSAGES["birth_date"], code="birth_date")
    if birth_date > (today or datetime.date.today()):
        raise ValidationError(MESSAGES["future_birth_date"], code="future_birth_date")
    region = number[:6]
    if not region_valid_in(region, birth_date.year):
        raise ValidationError(MESSAGES["region"], code="region", params={"value": region})
    return ResidentId(number=number, region_code=region, birth_date=birth_date)


def is_valid_resident_id(value: str | None) -> bool:
    try:
        validate_resident_id(value)
    except ValidationError:
        return False
    return True


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999, ISO 7064 MOD 11-2
CHECK_CHARACTERS = "10X98765432"


def _check_tables() -> tuple[dict[str, int], ...]:
    """Weighted digit sums of the ID check (GB 11643) by chunks of three digits:
    ``sum(table[i][body[3i:3i+3]])`` equals the sum over the 17 digits."""
    tables = []
    for start in range(0, ID_LENGTH - 1, 3):
        weights = ID_WEIGHTS[start : start + 3]
        width = len(weights)
        table = {}
        for value in range(10**width):
            digits = f"{value:0{width}d}"
            table[digits] = sum(int(digit) * weight for digit, weight in zip(digits, weights))
        tables.append(table)
    return tuple(tables)


CHECK_TABLES = _check_tables()


def id_check_character(body: str) -> str:
    """The check character of 17 ASCII digits (ISO 7064 MOD 11-2), as
    ``stdnum.cn.ric.calc_check_digit`` gives it, several times faster.
    Raises ``ValueError`` for anything but 17 ASCII digits."""
    if len(body) != ID_LENGTH - 1:
        raise ValueError("the body of a resident ID number is 17 digits")
    t0, t1, t2, t3, t4, t5 = CHECK_TABLES
    try:
        total = t0[body[:3]] + t1[body[3:6]] + t2[body[6:9]] + t3[body[9:12]] + t4[body[12:15]] + t5[body[15:]]
    except KeyError:
        raise ValueError("the body of a resident ID number is 17 digits") from None
    return CHECK_CHARACTERS[total % 11]


def validate_uscc(value: str | None) -> str:
    """Validate and normalise a unified social credit code (GB 32100-2015)."""
    code = normalise(value)
    if not code:
        raise ValidationError(USCC_MESSAGES["empty"], code="empty")
    if len(code) != 18:
        raise ValidationError(USCC_MESSAGES["length"], code="length", params={"length": len(code)})
    try:
        return uscc.validate(code)
    except StdnumError as exc:
        if exc.__class__.__name__ == "InvalidChecksum":
            raise ValidationError(USCC_MESSAGES["checksum"], code="checksum") from None
        raise ValidationError(USCC_MESSAGES["format"], code="format") from None


def mask_id(value: str | None) -> str:
    """``530102199001011234`` -> ``530102********1234``.

    The region (first six characters) stays, birth date and sequence are
    hidden, the last four stay so that a caseworker can tell two people apart
    on the telephone. Anything that is not ID-shaped is masked whole except
    its first and last characters, so that a malformed value never leaks.
    """
    number = normalise(value)
    if not number:
        return ""
    if len(number) == ID_LENGTH:
        return number[:6] + MASK_CHAR * 8 + number[-4:]
    if len(number) == LEGACY_ID_LENGTH:
        return number[:6] + MASK_CHAR * 5 + number[-4:]
    if len(number) <= 2:
        return MASK_CHAR * len(number)
    return number[0] + MASK_CHAR * (len(number) - 2) + number[-1]


MASKED_MIDDLE = MASK_CHAR * 8


def mask_resident_id(number: str) -> str:
    """``mask_id`` for an 18-character number that is already normalised (the
    import's valid numbers): the same text, without normalising it again."""
    return number[:6] + MASKED_MIDDLE + number[-4:]


def _is_id_shaped(run: str) -> bool:
    length = sum(1 for char in run if char not in ID_RUN_SEPARATORS)
    broken = length != len(run)
    return length >= ID_RUN_MIN and (broken or length <= ID_RUN_MAX_UNBROKEN)


def _mask_run(run: str) -> str:
    length = sum(1 for char in run if char not in ID_RUN_SEPARATORS)
    out, seen = [], 0
    for char in run:
        if char in ID_RUN_SEPARATORS:
            out.append(char)
            continue
        out.append(char if seen < MASK_KEEP_START or seen >= length - MASK_KEEP_END else MASK_CHAR)
        seen += 1
    return "".join(out)


def contains_id_number(text: str | None) -> bool:
    """Does ``text`` hold something written like a resident ID number (18 or 15
    characters, with spaces, dashes, full-width digits or a lower-case x)?"""
    return bool(text) and any(_is_id_shaped(match.group()) for match in ID_RUN.finditer(str(text)))


# A URL in a log line (a request line, a referrer) carries a typed number
# percent-encoded or with "+" for its spaces.
URL_TOKEN = re.compile(r"[^\s\"'<>]*[%+][^\s\"'<>]*")


def mask_ids_in_text(text: str) -> str:
    """Mask every ID-shaped run in free text (the logging filter, import reports),
    however it is written, also inside a URL-encoded token."""

    def _replace(match: re.Match) -> str:
        run = match.group()
        return _mask_run(run) if _is_id_shaped(run) else run

    masked = text
    if "%" in masked or "+" in masked:

        def _replace_url(match: re.Match) -> str:
            token = match.group()
            decoded = unquote_plus(token)
            if decoded != token and contains_id_number(decoded):
                return ID_RUN.sub(_replace, decoded)
            return token

        masked = URL_TOKEN.sub(_replace_url, masked)
    masked = ID_RUN.sub(_replace, masked)
    return masked
