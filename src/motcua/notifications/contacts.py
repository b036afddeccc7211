"""Contact details checked where they are entered, so that a message fails at entry with a clear
error rather than at sending: e-mail addresses by their syntax (email-validator, no DNS look-up on
the request path) and phone numbers by Vietnam's numbering plan (phonenumbers)."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import PhoneNumberType

MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


@lru_cache(maxsize=65536)  # pure: the same address is checked at entry, then at each step's messages
def email_problem(value: str) -> str | None:
    """Why ``value`` is not an e-mail address one can send to, or None."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


def normalised_email(value: str) -> str:
    return validate_email(value, check_deliverability=False).normalized


def phone_problem(value: str) -> str | None:
    """Why ``value`` is not a phone number of Vietnam (or an international one in + form), or None."""
    try:
        number = phonenumbers.parse(value, "VN")
    except phonenumbers.NumberParseException:
        return "not a phone number"
    if not phonenumbers.is_valid_number(number):
        return "not a valid phone number in Vietnam's numbering plan"
    return None


def e164(value: str) -> str:
    """The number in international form (+84…), as SMS gateways take it."""
    return phonenumbers.format_number(phonenumbers.parse(value, "VN"), phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=65536)
def is_mobile(value: str) -> bool:
    """Whether an SMS or app message can reach the number (a mobile, not a fixed line)."""
    try:
        return phonenumbers.number_type(phonenumbers.parse(value, "VN")) in MOBILE_TYPES
    except phonenumbers.NumberParseException:
        return False
