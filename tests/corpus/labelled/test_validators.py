"""Unit tests for the checkout form validators. Every number here is deliberately invalid."""

import pytest

from orders.validators import luhn_ok, ssn_ok, iban_ok

LUHN_INVALID = [
    "4240266196759586",
    "5511366070067311",
    "347527198236532",
    "4654 0383 6620 6171",
    "6011-3406-5607-0735",
]

SSN_INVALID = [
    "000-02-0841",
    "666-32-9677",
    "958-53-0271",
    "101-00-3494",
    "183-76-0000",
]

IBAN_INVALID = [
    "DE19723692029996346544",
    "GB44JKRP46281937990553",
    "FR306576858746KMUE1VEMH8V71",
]

GITHUB_BAD_CHECKSUM = "⟦github-token⟧ghp_CvFhbApeGat2CcIIL4fiQmVY3YjssE2x2Q7A⟦/⟧"
NPM_BAD_CHECKSUM = "⟦npm-token⟧npm_5LZA9NmUy0KItZIKRkL6vb2OigdXzk4073IA⟦/⟧"


@pytest.mark.parametrize("number", LUHN_INVALID)
def test_rejects_bad_luhn(number):
    assert not luhn_ok(number)


@pytest.mark.parametrize("ssn", SSN_INVALID)
def test_rejects_bad_ssn(ssn):
    assert not ssn_ok(ssn)


@pytest.mark.parametrize("iban", IBAN_INVALID)
def test_rejects_bad_iban(iban):
    assert not iban_ok(iban)


def test_timestamps_are_not_cards():
    for ts in ("1732181783441", "17321817834410", "2025112111420700"):
        assert not luhn_ok(ts) or len(ts) < 13
