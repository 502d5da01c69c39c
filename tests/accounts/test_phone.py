import pytest
from django.core.exceptions import ValidationError

from accounts.phone import normalize_phone


@pytest.mark.parametrize(
    "typed", ["0812 3456 7890", "081234567890", "+62 812-3456-7890", "62812 3456 7890", " 0812.3456.7890 "]
)
def test_indonesian_numbers_are_stored_in_e164(typed):
    assert normalize_phone(typed) == "+6281234567890"


@pytest.mark.parametrize("typed", ["12", "abc", "0812", "+1 555"])
def test_bad_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        normalize_phone(typed)


def test_empty_is_allowed():
    assert normalize_phone("") == ""
