"""bench.search's creates: every body must be a valid, new individual, or the run measures
422s and 409s instead of creates."""

from datetime import date

from bench.search import _fresh_id_numbers
from domain.validation import birthday_from_id_number, normalize_id_number


def test_fresh_id_numbers_are_valid_distinct_and_outside_the_generated_birth_years():
    numbers = _fresh_id_numbers(500)
    assert len(set(numbers)) == 500
    for number in numbers:
        assert normalize_id_number(number) == number  # raises on a wrong check digit
        assert date(1930, 1, 1) <= birthday_from_id_number(number) < date(1955, 1, 1)
