"""Unit tests for the checkout form validators. Every number here is deliberately invalid."""

import pytest

from orders.validators import luhn_ok, ssn_ok, iban_ok

LUHN_INVALID = [
    "{{card-bad:visa}}",
    "{{card-bad:mc}}",
    "{{card-bad:amex}}",
    "{{card-bad:visa:spaced}}",
    "{{card-bad:disc:dashed}}",
]

SSN_INVALID = [
    "{{ssn-bad:area0}}",
    "{{ssn-bad:area666}}",
    "{{ssn-bad:area9}}",
    "{{ssn-bad:group0}}",
    "{{ssn-bad:serial0}}",
]

IBAN_INVALID = [
    "{{iban-bad:DE}}",
    "{{iban-bad:GB}}",
    "{{iban-bad:FR}}",
]

GITHUB_BAD_CHECKSUM = "⟦github-token⟧{{ghp-badcrc}}⟦/⟧"
NPM_BAD_CHECKSUM = "⟦npm-token⟧{{npm-badcrc}}⟦/⟧"


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
