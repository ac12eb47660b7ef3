"""The rules a new password must meet (reset and change), after NIST SP 800-63B §3.1.1.2
and the CNIL recommendation of 2022 (délibération n° 2022-100). Pure: no database, no
directory, no request. The caller hands in the person's own words (identifier, name,
secondary address, institution names: each is also split into its parts here) and, if it
has one, a way to recognise the current password.

- length: at least GUICHET_PASSWORD_MIN_LENGTH (12) and at most 128 Unicode code points,
  counted after NFC normalisation. Any character is allowed (spaces, accents, emoji) and
  there are no composition rules;
- not common: not in Django's list of 20,000 breached passwords nor in our French list
  (data/common-fr.txt), compared case-insensitively after NFC and trimming, trivial
  variants included: a year, 1 to 4 digits and/or "!" appended ("Soleil2026!");
- hard to guess: zxcvbn score >= 3, with French words (pyspellchecker's dictionary), French
  names, places, postcodes and passwords added to its English lists, and the person's own
  words (identifier, name, institution) as user inputs;
- not mostly the person's own words: more than half of it covered by them is refused
  whatever the score (zxcvbn lets any three pieces pass: "Jeanne Martin 2026");
- not the current password.

API
    check(password, *, user_inputs=(), current_password_check=None) -> list[Problem]
        [] means accepted. A Problem is (code, message): `code` is one of the constants
        below and never changes; `message` is one sentence in the active language.
    score(password, user_inputs=()) -> int            zxcvbn's 0-4
    describe(password, user_inputs=()) -> dict        {"ok", "score", "problems"}: the JSON
        answer of the strength meter's endpoint. It never asks about the current password,
        so the endpoint cannot be used to test guesses of it.
    is_common(password) -> bool

The strength engine (zxcvbn with French lists, and why it is built that way) is
recovery.strength.
"""

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, NamedTuple

from django.conf import settings
from django.utils.translation import gettext, ngettext

from .strength import Match, analyse, fold, normalize, read_list

TOO_SHORT = "too_short"
TOO_LONG = "too_long"
COMMON = "common"
GUESSABLE = "guessable"
PERSONAL = "personal"
SAME_AS_CURRENT = "same_as_current"

DEFAULT_MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3


class Problem(NamedTuple):
    code: str
    message: str


def min_length() -> int:
    return int(getattr(settings, "GUICHET_PASSWORD_MIN_LENGTH", DEFAULT_MIN_LENGTH))


def check(
    password: str,
    *,
    user_inputs: Iterable[str] = (),
    current_password_check: Callable[[str], bool] | None = None,
) -> list[Problem]:
    """The reasons to refuse `password`; [] when it is accepted.

    `current_password_check(password) -> bool` says whether it is the current password.
    It is a directory bind or a hash check, so it is asked last, with the password as
    typed, and only when nothing else is wrong so far (length, common passwords).
    """
    return _evaluate(password, user_inputs, current_password_check)[0]


def score(password: str, user_inputs: Iterable[str] = ()) -> int:
    return analyse(normalize(password), user_inputs).score


def describe(password: str, user_inputs: Iterable[str] = ()) -> dict[str, Any]:
    problems, value = _evaluate(password, user_inputs, None)
    if problems:
        # The meter never shows "strong" for a password that would be refused.
        value = min(value, MIN_SCORE - 1)
    return {"ok": not problems, "score": value, "problems": [problem.message for problem in problems]}


def is_common(password: str) -> bool:
    listed = _common_passwords()
    return any(candidate in listed for candidate in _variants(fold(password)))


def _evaluate(
    password: str, user_inputs: Iterable[str], current_password_check: Callable[[str], bool] | None
) -> tuple[list[Problem], int]:
    text = normalize(password)
    length = len(text)
    minimum = min_length()
    problems = []
    if length < minimum:
        message = ngettext("Au moins %(count)d caractère.", "Au moins %(count)d caractères.", minimum)
        problems.append(Problem(TOO_SHORT, message % {"count": minimum}))
    elif length > MAX_LENGTH:
        message = ngettext("Au plus %(count)d caractère.", "Au plus %(count)d caractères.", MAX_LENGTH)
        problems.append(Problem(TOO_LONG, message % {"count": MAX_LENGTH}))
    common = is_common(text)
    if common:
        message = gettext("Ce mot de passe est trop courant : il figure dans les listes de mots de passe piratés.")
        problems.append(Problem(COMMON, message))
    if not problems and current_password_check is not None and current_password_check(password):
        message = gettext("C'est votre mot de passe actuel : choisissez-en un nouveau.")
        problems.append(Problem(SAME_AS_CURRENT, message))
    analysis = analyse(text, user_inputs)
    # Too short or too common already says it; "too easy to guess" on top would be noise.
    if not common and minimum <= length <= MAX_LENGTH:
        if analysis.personal:
            problems.append(Problem(PERSONAL, _with_advice(_personal_reason())))
        elif analysis.score < MIN_SCORE:
            problems.append(Problem(GUESSABLE, _guessable_message(analysis.sequence)))
    return problems, analysis.score


# Comparison with the lists of common passwords.

_DIGITS = "0123456789"


def _variants(word: str) -> Iterable[str]:
    """`word` and what it becomes without a trivial suffix: 1-4 digits (so any year) and/or
    "!", possibly after a separator: soleil2026!, soleil_13, marseille!!."""
    yield word
    core = word.rstrip("!")
    yield core
    digits = len(core) - len(core.rstrip(_DIGITS))
    for cut in range(1, min(digits, 4) + 1):
        stem = core[:-cut]
        yield stem
        yield stem.rstrip(" ._-").rstrip("!")


@cache
def _common_passwords() -> frozenset[str]:
    from django.contrib.auth.password_validation import CommonPasswordValidator

    django_list = CommonPasswordValidator().passwords
    return frozenset(fold(word) for word in [*django_list, *read_list("common-fr.txt")]) - {""}


# Why it is easy to guess, in the person's language (zxcvbn's feedback is English only).

_NAME_LISTS = {"names_fr", "surnames", "male_names", "female_names"}
_PASSWORD_LISTS = {"passwords", "passwords_fr"}
_NUMBER_LISTS = {"postcodes_fr"}


def _guessable_message(sequence: list[Match]) -> str:
    found = [match for match in sequence if match["pattern"] != "bruteforce"]
    if any(match.get("dictionary_name") == "user_inputs" for match in found):
        return _with_advice(_personal_reason())
    if not found:
        return _with_advice(gettext("Trop facile à deviner."))
    return _with_advice(_reason(max(found, key=lambda match: len(match["token"]))))


def _with_advice(reason: str) -> str:
    advice = gettext(
        "Essayez plutôt une phrase de plusieurs mots sans rapport entre eux."
    )  # outside the f-string: xgettext must see it
    return f"{reason} {advice}"


def _personal_reason() -> str:
    return gettext("Trop facile à deviner : il reprend votre identifiant, votre nom ou celui de votre établissement.")


def _reason(match: Match) -> str:
    pattern = match["pattern"]
    if pattern == "dictionary":
        if match["dictionary_name"] in _PASSWORD_LISTS:
            return gettext("Trop facile à deviner : il repose sur un mot de passe très répandu.")
        if match.get("l33t"):
            return gettext(
                "Trop facile à deviner : remplacer des lettres par des chiffres ou des symboles, "
                "comme @ pour a, ne le protège guère."
            )
        if match.get("reversed"):
            return gettext("Trop facile à deviner : un mot écrit à l'envers se devine facilement.")
        if match["dictionary_name"] in _NUMBER_LISTS:
            return gettext("Trop facile à deviner : les codes postaux se devinent facilement.")
        if match["dictionary_name"] in _NAME_LISTS:
            return gettext(
                "Trop facile à deviner : les prénoms, noms de famille et noms de lieux se devinent facilement."
            )
        return gettext("Trop facile à deviner : un mot courant, même suivi de chiffres, se devine facilement.")
    if pattern == "spatial":
        return gettext(
            "Trop facile à deviner : les touches voisines du clavier, comme azerty ou qsdf, se devinent facilement."
        )
    if pattern == "repeat":
        return gettext("Trop facile à deviner : les répétitions comme aaaa ou abcabc se devinent facilement.")
    if pattern == "sequence":
        return gettext("Trop facile à deviner : les suites comme abcd ou 1234 se devinent facilement.")
    if pattern in ("regex", "date"):
        return gettext("Trop facile à deviner : les dates et les années se devinent facilement.")
    return gettext("Trop facile à deviner.")
