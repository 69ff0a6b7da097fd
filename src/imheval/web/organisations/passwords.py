"""A password rule Django lacks: refuse passwords made of a repeated pattern or a straight run.

Django's validators (length, common passwords, user name, all digits) let "aaaaaaaaaaaa",
"abcabcabcabc" and "abcdefghijklm" through; each falls to a guesser in seconds. This validator
refuses a password that

* uses fewer than :data:`MIN_DISTINCT` different characters;
* is one shorter piece repeated ("abcabcabcabc", "Passw0rdPassw0rd");
* is a straight run: each character one after the previous, up or down ("abcdefghijkl",
  "987654321098") or along a keyboard row ("qwertyuiopasdf").

It is listed in settings.AUTH_PASSWORD_VALIDATORS, so every place that sets a password (the
``createadmin`` command, invitation sign-up, password change and reset, the Django admin)
applies it. See docs/decisions/0009-password-strength.md for why not zxcvbn.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

#: Fewer different characters than this is too little variety.
MIN_DISTINCT = 6
#: Runs a guesser tries first: digits, the alphabet, and the keyboard's letter rows in order.
SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


def _repeats_a_piece(password: str) -> bool:
    """Whether ``password`` is a shorter piece repeated (the last copy may be cut short).

    Its shortest period is its length less its longest proper prefix that is also a suffix
    (the Knuth-Morris-Pratt failure function), found in one pass: any length is checked in
    linear time.
    """
    length = len(password)
    border = [0] * length
    matched = 0
    for position in range(1, length):
        while matched and password[position] != password[matched]:
            matched = border[matched - 1]
        if password[position] == password[matched]:
            matched += 1
        border[position] = matched
    period = length - (border[-1] if length else 0)
    return 0 < period <= length // 2


def _is_straight_run(password: str) -> bool:
    """Whether ``password`` runs along the digits, the alphabet or the keyboard, either way."""
    lowered = password.lower()
    for sequence in SEQUENCES:
        # round and round: 7890123 and xyzabc are runs too
        track = sequence * (len(lowered) // len(sequence) + 2)
        if lowered in track or lowered[::-1] in track:
            return True
    return False


class LowVarietyPasswordValidator:
    """Refuses repeated characters or patterns and straight runs (see the module docstring)."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(set(password)) < MIN_DISTINCT:
            raise ValidationError(
                f"This password uses too few different characters (at least {MIN_DISTINCT}).",
                code="password_low_variety",
            )
        if _repeats_a_piece(password):
            raise ValidationError(
                "This password is one short piece repeated.", code="password_repeated"
            )
        if _is_straight_run(password):
            raise ValidationError(
                "This password is a run of characters in order (like abcdef or qwerty).",
                code="password_sequence",
            )

    def get_help_text(self) -> str:
        return (
            f"Your password must use at least {MIN_DISTINCT} different characters and must not "
            "be a repeated pattern or a run such as abcdef or qwerty."
        )
