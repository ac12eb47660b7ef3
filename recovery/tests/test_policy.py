"""The new-password rules (recovery/policy.py), point by point. No database."""

import unicodedata

import hypothesis
import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from recovery import policy
from recovery.policy import COMMON, GUESSABLE, PERSONAL, SAME_AS_CURRENT, TOO_LONG, TOO_SHORT

JEANNE = ["jeanne.martin@etu.univ-poitiers.fr", "Jeanne Martin", "jeanne.perso@example.org", "Université de Poitiers"]
SENTENCE = "le chat de ma voisine mange des croissants"
# Exactly 128 code points, a sentence nobody else wrote.
LONGEST = (SENTENCE + " puis la tortue lit Proust sous un parasol bleu, à Niort, en chantant faux ! 42 grenouilles ")[
    :128
]


@pytest.fixture(scope="module", autouse=True)
def _warm():
    # The word lists load once per process (~1 s): not part of any test's timing.
    policy.score("warm up")


@pytest.fixture(autouse=True)
def _french():
    # Whatever an earlier test left active (a request to /en/ does): the default language.
    with translation.override("fr"):
        yield


@pytest.mark.parametrize(
    ("password", "inputs", "codes"),
    [
        # The examples everybody tries.
        ("motdepasse2026", [], {COMMON}),
        ("Azerty123456!", [], {COMMON}),
        ("soleil", [], {TOO_SHORT, COMMON}),
        ("marseille13", [], {TOO_SHORT, COMMON}),
        ("Soleil2026!", [], {TOO_SHORT, COMMON}),
        ("Tournesol2026!", [], {COMMON}),
        ("Chouchou1987!", [], {COMMON}),
        ("Marseille_2026", [], {COMMON}),
        ("motdepasse!!", [], {COMMON}),
        ("MOTDEPASSE", [], {TOO_SHORT, COMMON}),
        ("   mot de passe   ", [], {COMMON}),
        ("jetaimepourlavie", [], {COMMON}),
        ("olympiquedemarseille13", [], {COMMON}),
        ("ceciestunmotdepasse", [], {COMMON}),
        ("P@ssw0rd2026", [], {COMMON}),
        ("123456789012", [], {COMMON}),
        # The person's own words.
        ("jeanne.martin2026", JEANNE, {PERSONAL}),
        ("Jeanne Martin 2026", JEANNE, {PERSONAL}),
        ("UniversitéDePoitiers", JEANNE, {PERSONAL}),
        ("Poitiers86000!", JEANNE, {PERSONAL}),
        ("19850201Jeanne!", JEANNE, {GUESSABLE}),
        # Easy to guess, for anybody.
        ("Poitiers86000!", [], {GUESSABLE}),
        ("L0ul0u2026!!", [], {GUESSABLE}),
        ("azertyuiopqsdf", [], {GUESSABLE}),
        ("qsdfghjklmù*", [], {GUESSABLE}),
        ("wxcvbn123456", [], {GUESSABLE}),
        ("aaaaaaaaaaaa", [], {GUESSABLE}),
        ("abcabcabcabc", [], {GUESSABLE}),
        ("abcdefghijkl", [], {GUESSABLE}),
        ("12/05/1987!!", [], {GUESSABLE}),
        ("camillebernard", [], {GUESSABLE}),
        ("tnemelbatirev", [], {GUESSABLE}),
        ("            ", [], {GUESSABLE}),
        ("🐢🚲🌧🐢🚲🌧🐢🚲🌧🐢🚲🌧", [], {GUESSABLE}),
        # Length alone.
        ("Xk9#mQ2$vL7", [], {TOO_SHORT}),
        (LONGEST + "x", [], {TOO_LONG}),
        # Accepted: long or random, any character at all.
        (SENTENCE, JEANNE, set()),
        (LONGEST, JEANNE, set()),
        ("Mon chien s'appelle Réglisse et il a 7 ans", JEANNE, set()),
        ("Élan vétuste, ça bouge énormément", [], set()),
        ("épinard cabane lumière glacier", [], set()),
        ("tortue-velo-brume-cactus", [], set()),
        ("correct horse battery staple", [], set()),
        ("Xk9#mQ2$vL7!", [], set()),
        ("🐢🚲🌧🍄🎻🧲🦔🪁🥐🧭🪴🛶", [], set()),
        ("J'aime les fraises des bois", JEANNE, set()),
    ],
)
def test_the_table(password, inputs, codes):
    problems = policy.check(password, user_inputs=inputs)
    assert {problem.code for problem in problems} == codes, problems
    assert all(problem.message for problem in problems)


def test_the_longest_example_is_128_code_points():
    assert len(LONGEST) == 128


def test_length_is_counted_in_code_points_after_nfc():
    composed = "été à l'île " * 2  # 24 code points, 30 once decomposed
    decomposed = unicodedata.normalize("NFD", composed)
    assert len(decomposed) > len(composed) == 24
    eleven = unicodedata.normalize("NFD", "éàèùâêîôûçë")
    assert len(eleven) == 22
    assert TOO_SHORT in {problem.code for problem in policy.check(eleven)}
    emoji = "🐢" * 11  # 11 code points, 22 UTF-16 units
    assert TOO_SHORT in {problem.code for problem in policy.check(emoji)}


def test_motdepasse2026_scores_below_3_with_the_french_lists():
    assert policy.score("motdepasse2026") < 3


@pytest.mark.parametrize("password", ["jeanne.perso 1985", "PersoMartinUniv!", "etu poitiers 2026"])
def test_user_inputs_count_with_their_parts(password):
    # The secondary address's local part, the name's parts, the domain's labels.
    assert [problem.code for problem in policy.check(password, user_inputs=JEANNE)] == [PERSONAL]
    assert PERSONAL not in {problem.code for problem in policy.check(password)}


@pytest.mark.parametrize(
    "password",
    ["Soleil2026!", "soleil1950", "soleil!", "SOLEIL_2026", "soleil 12!", "  Soleil2026  ", "soleil.2030!!"],
)
def test_trivial_variants_of_a_common_password_are_common(password):
    assert policy.is_common(password)


@pytest.mark.parametrize("password", ["soleil12345", "2026soleil", "le soleil de poitiers"])
def test_other_passwords_are_not_common_because_of_a_word(password):
    assert not policy.is_common(password)


def test_the_same_password_as_now_is_refused():
    typed = []

    def current(password):
        typed.append(password)
        return password == SENTENCE

    problems = policy.check(SENTENCE, current_password_check=current)
    assert [problem.code for problem in problems] == [SAME_AS_CURRENT]
    assert typed == [SENTENCE]
    assert policy.check(SENTENCE + " !", current_password_check=current) == []


def test_the_current_password_is_not_checked_for_a_refused_one():
    def current(password):
        raise AssertionError("a directory call for nothing")

    assert {p.code for p in policy.check("soleil", current_password_check=current)} == {TOO_SHORT, COMMON}
    assert {p.code for p in policy.check("motdepasse2026", current_password_check=current)} == {COMMON}


def test_the_minimum_length_is_a_setting(settings):
    settings.GUICHET_PASSWORD_MIN_LENGTH = 15
    problems = policy.check("Xk9#mQ2$vL7!pq")  # 14
    assert [problem.code for problem in problems] == [TOO_SHORT]
    assert problems[0].message == "Au moins 15 caractères."
    assert policy.check("Xk9#mQ2$vL7!pqZ") == []
    settings.GUICHET_PASSWORD_MIN_LENGTH = 10
    assert policy.check("Xk9#mQ2$vL") == []


def test_the_default_minimum_is_12(settings):
    del settings.GUICHET_PASSWORD_MIN_LENGTH
    assert policy.min_length() == 12
    assert [problem.message for problem in policy.check("Xk9#mQ2$vL7")] == ["Au moins 12 caractères."]


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("qsdfghjklmù*", "clavier"),
        ("abcabcabcabc", "répétitions"),
        ("abcdefghijkl", "suites"),
        ("12/05/1987!!", "dates"),
        ("camillebernard", "prénoms"),
        ("tnemelbatirev", "l'envers"),
        ("marguerite86000", "mot de passe très répandu"),
        ("lumièrecabanes", "mot courant"),
        ("19850201Jeanne!", "votre identifiant"),
    ],
)
def test_it_says_why_in_french(password, words):
    (problem,) = policy.check(password, user_inputs=JEANNE)
    assert problem.code in (GUESSABLE, PERSONAL)
    assert problem.message.startswith("Trop facile à deviner")
    assert words in problem.message
    assert problem.message.endswith("Essayez plutôt une phrase de plusieurs mots sans rapport entre eux.")


@pytest.mark.parametrize(
    ("password", "inputs", "english"),
    [
        (
            "soleil",
            [],
            ["At least 12 characters.", "This password is too common: it appears in lists of hacked passwords."],
        ),
        (LONGEST + "x", [], ["At most 128 characters."]),
        ("qsdfghjklmù*", [], ["Too easy to guess: neighbouring keys, like azerty or qsdf, are easy to guess. "]),
        ("abcabcabcabc", [], ["Too easy to guess: repeats like aaaa or abcabc are easy to guess. "]),
        ("abcdefghijkl", [], ["Too easy to guess: sequences like abcd or 1234 are easy to guess. "]),
        ("12/05/1987!!", [], ["Too easy to guess: dates and years are easy to guess. "]),
        ("camillebernard", [], ["Too easy to guess: first names, surnames and place names are easy to guess. "]),
        ("tnemelbatirev", [], ["Too easy to guess: a word spelt backwards is easy to guess. "]),
        ("marguerite86000", [], ["Too easy to guess: it is based on a very common password. "]),
        ("lumièrecabanes", [], ["Too easy to guess: a common word, even followed by digits, is easy to guess. "]),
        (
            "Jeanne Martin 2026",
            JEANNE,
            ["Too easy to guess: it reuses your identifier, your name or your institution's"],
        ),
    ],
)
def test_messages_are_translated(password, inputs, english):
    with translation.override("en"):
        messages = [problem.message for problem in policy.check(password, user_inputs=inputs)]
    assert len(messages) == len(english)
    for message, start in zip(messages, english, strict=True):
        assert message.startswith(start)
        if message.startswith("Too easy"):
            assert message.endswith("Try a sentence of several unrelated words instead.")


def test_same_as_current_in_english():
    with translation.override("en"):
        (problem,) = policy.check(SENTENCE, current_password_check=lambda password: True)
    assert problem.message == "This is your current password: choose a new one."


def test_describe_answers_the_strength_meter():
    assert policy.describe(SENTENCE, JEANNE) == {"ok": True, "score": 4, "problems": []}
    refused = policy.describe("Xk9#mQ2$vL7", JEANNE)
    # Random, so zxcvbn likes it, but too short: the meter must not say "strong".
    assert policy.score("Xk9#mQ2$vL7") == 4
    assert refused == {"ok": False, "score": 2, "problems": ["Au moins 12 caractères."]}
    assert policy.describe("", []) == {"ok": False, "score": 0, "problems": ["Au moins 12 caractères."]}


# Any text, and text made of what the matchers look for: l33t, keyboard rows, digits,
# dates, repeats, characters that change length when lowered (İ) or normalised (é).
PASSWORDS = st.one_of(
    st.text(max_size=200),
    st.text(alphabet="aeiolsptrdnm4@3!1|07$5+%2( ./-_azqswxİßé\u0301😀", max_size=200),
    st.lists(st.sampled_from(["soleil", "Jeanne", "martin", "2026", "!", "azerty", "p@ss", "19/02/1985", " "]))
    .map("".join)
    .filter(lambda text: len(text) <= 200),
)


@hypothesis.settings(max_examples=200, deadline=None)
@given(PASSWORDS)
def test_it_never_raises_and_always_refuses_short_passwords(password):
    problems = policy.check(password, user_inputs=JEANNE, current_password_check=lambda p: False)
    assert all(problem.code and problem.message for problem in problems)
    if len(unicodedata.normalize("NFC", password)) < policy.min_length():
        assert TOO_SHORT in {problem.code for problem in problems}
    assert 0 <= policy.describe(password, JEANNE)["score"] <= 4


@hypothesis.settings(max_examples=100, deadline=None)
@given(st.text(st.characters(codec="utf-8"), min_size=12, max_size=40), st.lists(st.text(max_size=30), max_size=5))
def test_any_character_and_any_user_input(password, inputs):
    policy.check(password, user_inputs=inputs)


@pytest.mark.parametrize(
    "password",
    [
        LONGEST,
        "a" * 128,
        "ab" * 64,
        "abc" * 42 + "ab",
        "1234567890" * 12 + "12345678",
        "4@8(3!1|0$5+7%2" * 8 + "4@8(3!1|",
        "p@ssw0rd" * 16,
        "Xk9#mQ2$vL7!pqZ&" * 8,
        ("azertyuiopqsdfghjklmwxcvbn" * 5)[:128],
        ("jeanne.martin" * 10)[:128],
        ("01/02/1985 " * 12)[:128],
        "🐢🚲🌧🍄🎻🧲🦔🪁🥐🧭🪴🛶" * 10 + "🐢🚲🌧🍄🎻🧲🦔🪁",
    ],
)
def test_a_128_character_password_gets_a_verdict(password):
    # How long it takes is measured by bench/password_policy.py, not here.
    assert len(password) == 128
    problems = policy.check(password, user_inputs=JEANNE, current_password_check=lambda p: False)
    assert all(p.code != policy.TOO_LONG for p in problems)
