import datetime
import logging

import pytest
from django.core.exceptions import ValidationError

from registry.identifiers import (
    mask_id,
    mask_ids_in_text,
    normalise,
    validate_resident_id,
    validate_uscc,
)
from registry.log_filters import MaskIdentifiersFilter
from tests.conftest import make_id_number


@pytest.mark.parametrize("number", ["360426199101010071", "44011320141005001X"])
def test_design_examples_are_valid(number):
    assert validate_resident_id(number).number == number


def test_normalisation_of_lower_x_spaces_and_full_width_digits():
    assert validate_resident_id(" 44011320141005001x ").number == "44011320141005001X"
    full_width = "３６０４２６１９９１０１０１００７１"
    assert normalise(full_width) == "360426199101010071"
    assert validate_resident_id(full_width).number == "360426199101010071"


def test_derived_region_and_birth_date():
    resident = validate_resident_id("360426199101010071")
    assert resident.region_code == "360426"
    assert resident.birth_date == datetime.date(1991, 1, 1)


def _code(value):
    with pytest.raises(ValidationError) as info:
        validate_resident_id(value)
    return info.value.code, " ".join(info.value.messages)


def test_each_failure_has_its_own_message():
    failures = {
        "": "empty",
        "36042619910101007": "length",
        "3604261991010100711": "length",
        "360426910101007": "legacy",
        "36042619910101007A": "format",
        "360426199101010072": "checksum",
    }
    messages = {}
    for value, code in failures.items():
        got_code, message = _code(value)
        assert got_code == code, value
        messages[code] = message
    # Impossible birth date (Feb 30) with a correct check character.
    assert _code(make_id_number(birth="19910230"))[0] == "birth_date"
    # Future birth date.
    assert _code(make_id_number(birth="20991231"))[0] == "future_birth_date"
    # Unknown region code with a correct check character.
    assert _code(make_id_number(region="539999"))[0] == "region"
    # A region code abolished before the birth year (北京崇文区 1103, until 2010).
    assert _code(make_id_number(region="110103", birth="20150101"))[0] == "region"
    assert validate_resident_id(make_id_number(region="110103", birth="19800101"))
    # The messages are distinct, so the caseworker learns which check failed.
    assert len(set(messages.values())) == len(messages)
    assert "15" in messages["legacy"]


def test_wrong_check_character_message_does_not_reveal_the_right_one():
    _code_, message = _code("360426199101010072")
    assert "1" not in message.replace("17", "")


def test_uscc():
    assert validate_uscc("91110000600037341L") == "91110000600037341L"
    assert validate_uscc(" 91110000600037341l") == "91110000600037341L"
    for bad, code in [("91110000600037341M", "checksum"), ("9111000060003734", "length"), ("", "empty")]:
        with pytest.raises(ValidationError) as info:
            validate_uscc(bad)
        assert info.value.code == code


def test_masking():
    assert mask_id("530102199001011231") == "530102********1231"
    assert mask_id("53010219900101123x") == "530102********123X"
    assert mask_id("530102900101123") == "530102*****1123"
    assert "199001" not in mask_id("530102199001011231")
    # Anything else is masked whole but for its ends: a malformed number never leaks.
    assert mask_id("12345") == "1***5"


def test_mask_ids_in_free_text():
    text = "import row 3: 530102199001011231 and 44011320141005001x; phone 13812345678"
    masked = mask_ids_in_text(text)
    assert "530102199001011231" not in masked and "530102********1231" in masked
    assert "44011320141005001" not in masked
    assert "13812345678" in masked  # an 11-digit phone number is not an ID
    # Glued to letters (a file name, a column shifted into text) it is still masked.
    assert mask_ids_in_text("ID530102199001011231号") == "ID530102********1231号"
    assert mask_ids_in_text("xx53010219900101123Xyz") == "xx530102********123Xyz"


def test_logging_filter_masks_ids_in_messages_and_arguments(caplog):
    logger = logging.getLogger("creditportal.test")
    handler_filter = MaskIdentifiersFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.INFO, logger="creditportal.test"):
            logger.info("looked up %s for %s", "530102199001011231", "张三")
            logger.info("direct 360426199101010071")
    finally:
        caplog.handler.removeFilter(handler_filter)
    output = caplog.text
    assert "530102199001011231" not in output
    assert "360426199101010071" not in output
    assert "530102********1231" in output and "张三" in output


def test_settings_attach_the_filter_to_every_handler():
    from django.conf import settings

    for name, handler in settings.LOGGING["handlers"].items():
        assert "mask_ids" in handler.get("filters", []), name


def test_logging_filter_masks_ids_in_tracebacks():
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskIdentifiersFilter())
    logger = logging.getLogger("creditportal.test.traceback")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("duplicate key (id_number)=(530102199001011231)")
        except ValueError:
            logger.exception("import failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "ValueError" in output and "530102********1231" in output
    assert "530102199001011231" not in output
