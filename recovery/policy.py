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

Speed and scope of zxcvbn. The Python port (4.5.0) is slow on long input: its l33t
matching reruns the whole dictionary search once per substitution table (up to ~100), and
its search for the cheapest sequence grows faster than the square of the length on
repetitive text. As shipped it took 0.6 s on a random 100-character password, 0.1-0.45 s
on "ab" * 50. So:
- zxcvbn judges the first ZXCVBN_MAX_CHARS (48) code points only. A longer password is
  judged on its start, which can only make the verdict stricter: whoever guesses the
  password guesses its start; 48 characters is already an eight-word sentence. A 128-
  character password then costs 2-10 ms, the most repetitive ones up to ~25 ms on a busy
  machine (64 characters cost up to twice that);
- its dictionary, reversed and l33t matching are done here over one merged index with
  prefix pruning (~1 ms): the same matches as zxcvbn's (l33t: a few more); its other
  matchers (keyboard, repeat, sequence, year, date) and its scoring are used as they are,
  the scoring given only the cheapest match for each span (the same result, sooner).
It also learns, once per process (zxcvbn's module state, shared by any other caller):
French words, names, places, postcodes and passwords through `add_frequency_lists`, the
AZERTY keyboard, and years up to today (the port only knows 1900-2019, dated from 2017).
The first check in a process pays ~1 s and ~40 MB to set this up.
"""

import bisect
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.utils.translation import gettext, ngettext
from zxcvbn import matching, scoring, time_estimates

TOO_SHORT = "too_short"
TOO_LONG = "too_long"
COMMON = "common"
GUESSABLE = "guessable"
PERSONAL = "personal"
SAME_AS_CURRENT = "same_as_current"

DEFAULT_MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3
ZXCVBN_MAX_CHARS = 48
FRENCH_WORDS = 50_000  # the most frequent words of pyspellchecker's French dictionary

DATA_DIR = Path(__file__).resolve().parent / "data"


class Problem(NamedTuple):
    code: str
    message: str


def normalize(password: str) -> str:
    return unicodedata.normalize("NFC", password)


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
    return _analyse(normalize(password), user_inputs).score


def describe(password: str, user_inputs: Iterable[str] = ()) -> dict[str, Any]:
    problems, value = _evaluate(password, user_inputs, None)
    if problems:
        # The meter never shows "strong" for a password that would be refused.
        value = min(value, MIN_SCORE - 1)
    return {"ok": not problems, "score": value, "problems": [problem.message for problem in problems]}


def is_common(password: str) -> bool:
    listed = _common_passwords()
    return any(candidate in listed for candidate in _variants(_fold(password)))


def _evaluate(password, user_inputs, current_password_check) -> tuple[list[Problem], int]:
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
    analysis = _analyse(text, user_inputs)
    # Too short or too common already says it; "too easy to guess" on top would be noise.
    if not common and minimum <= length <= MAX_LENGTH:
        if analysis.personal:
            problems.append(Problem(PERSONAL, _with_advice(_personal_reason())))
        elif analysis.score < MIN_SCORE:
            problems.append(Problem(GUESSABLE, _guessable_message(analysis.sequence)))
    return problems, analysis.score


# Comparison with the lists of common passwords.

_DIGITS = "0123456789"


def _fold(text: str) -> str:
    return normalize(text).strip().casefold()


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
    return frozenset(_fold(word) for word in [*django_list, *_read_list("common-fr.txt")]) - {""}


def _read_list(name: str) -> list[str]:
    words = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        word = _fold(line)
        if word and not word.startswith("#"):
            words.append(word)
    return list(dict.fromkeys(words))


# zxcvbn, set up once per process on first use.

_setup_lock = threading.Lock()
# word -> best rank * 16 + number of its dictionary in _names (an int, not a tuple: 150,000
# entries, 8 MB less per process).
_index: dict[str, int] = {}
_names: list[str] = []
_sorted_words: list[str] = []  # the same words, sorted: is this a prefix of a word?
_max_word_length = 0

# French AZERTY (ISO), each key as unshifted + shifted, rows aligned as zxcvbn's QWERTY:
# the key below-right of a key shares its column. zxcvbn scores any graph not named qwerty
# or dvorak with the keypad's smaller constants, which only makes it stricter.
_AZERTY_ROWS = (
    (0, "² &1 é2 \"3 '4 (5 -6 è7 _8 ç9 à0 )° =+"),
    (1, "aA zZ eE rR tT yY uU iI oO pP ^¨ $£"),
    (1, "qQ sS dD fF gG hH jJ kK lL mM ù% *µ"),
    (0, "<> wW xX cC vV bB nN ,? ;. :/ !§"),
)


def _setup() -> None:
    global _index, _names, _sorted_words, _max_word_length
    if _index:
        return
    with _setup_lock:
        if _index:
            return
        matching.add_frequency_lists(
            {
                "passwords_fr": _read_list("common-fr.txt"),
                "names_fr": _with_plain_variants(_read_list("names-fr.txt")),
                "words_fr": _with_plain_variants(_french_words()),
                "postcodes_fr": _postcodes(),
            }
        )
        matching.GRAPHS["azerty"] = _azerty_graph()
        matching.REGEXEN["recent_year"] = re.compile(r"19\d\d|20\d\d")
        scoring.REFERENCE_YEAR = date.today().year
        names = [name for name in matching.RANKED_DICTIONARIES if name != "user_inputs"]
        index: dict[str, int] = {}
        for number, name in enumerate(names):
            for word, rank in matching.RANKED_DICTIONARIES[name].items():
                if word not in index or rank < index[word] >> 4:
                    index[word] = rank << 4 | number
        _names = names
        _sorted_words = sorted(index)
        _max_word_length = max(map(len, index))
        _index = index


def _french_words() -> list[str]:
    from spellchecker import SpellChecker

    frequencies = SpellChecker(language="fr", distance=1).word_frequency
    ranked = sorted(frequencies.items(), key=lambda item: (-item[1], item[0]))
    return [normalize(word) for word, _ in ranked[:FRENCH_WORDS]]


def _postcodes() -> list[str]:
    """French postcodes, main towns first (86000 Poitiers, Paris 75001-75020): a favourite
    suffix, that zxcvbn would count as 100,000 random guesses."""
    departments = [f"{number:02d}" for number in range(1, 96)] + [f"97{number}" for number in range(1, 7)]
    codes = [f"{department:0<5}" for department in departments]
    codes += [
        f"{city}{district:02d}"
        for city, count in (("750", 20), ("130", 16), ("690", 9))
        for district in range(1, count + 1)
    ]
    for department in departments:
        width = 5 - len(department)
        codes += [f"{department}{rest:0{width}d}" for rest in range(10, 10**width, 10)]
    return list(dict.fromkeys(codes))


def _with_plain_variants(words: list[str]) -> list[str]:
    """Each word followed by its form without accents (people often skip them)."""
    out = {}
    for word in words:
        out[word] = None
        plain = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
        out.setdefault(normalize(plain).replace("œ", "oe").replace("æ", "ae"), None)
    return list(out)


def _azerty_graph() -> dict[str, list[str | None]]:
    keys = {}
    for y, (start, row) in enumerate(_AZERTY_ROWS):
        for x, key in enumerate(row.split(), start):
            keys[(x, y)] = key
    graph = {}
    for (x, y), key in keys.items():
        around = [(x - 1, y), (x, y - 1), (x + 1, y - 1), (x + 1, y), (x, y + 1), (x - 1, y + 1)]
        for char in key:
            graph[char] = [keys.get(position) for position in around]
    return graph


def _user_words(values: Iterable[str]) -> dict[str, int]:
    """zxcvbn's user-input dictionary: each value and its parts (jeanne.martin@etu.univ-
    poitiers.fr gives jeanne.martin, jeanne, martin, etu, univ-poitiers, univ, poitiers)."""
    words: dict[str, None] = {}
    for value in values:
        value = _fold(str(value or ""))
        if not value:
            continue
        local, _, domain = value.partition("@")
        pieces = [value, local, *domain.split(".")]
        for piece in re.split(r"[\s.@_+\-'’,;:/()]+", value):
            pieces.append(piece)
            pieces.extend(re.findall(r"[^\W\d_]+|\d+", piece))
        for piece in pieces:
            if len(piece) >= 3:
                words[piece] = None
    return {word: rank for rank, word in enumerate(words, 1)}


_APPENDED_SYMBOLS = "!?.*#$@&%+"


class _Analysis(NamedTuple):
    score: int
    sequence: list[dict]  # zxcvbn's cheapest way to guess it, for the message
    personal: bool  # more than half of it is the person's own words


def _analyse(text: str, user_inputs: Iterable[str]) -> _Analysis:
    _setup()
    text = text[:ZXCVBN_MAX_CHARS]
    if not text:
        return _Analysis(0, [], False)
    user_words = _user_words(user_inputs)
    matches = _omnimatch(text, user_words)
    guesses, sequence = _guesses(text, matches)
    # zxcvbn counts at least 10,000 guesses for each piece after the first, so a symbol
    # appended to satisfy an old composition rule ("Poitiers86000!") would lift a weak
    # password to score 3. An attacker tries the password without it, then adds one.
    core = text.rstrip(_APPENDED_SYMBOLS)
    if core and 0 < len(text) - len(core) <= 3:
        core_guesses, core_sequence = _guesses(core, _omnimatch(core, user_words))
        core_guesses *= len(_APPENDED_SYMBOLS) ** (len(text) - len(core))
        if core_guesses < guesses:
            guesses, sequence = core_guesses, core_sequence
    # The same floor lets three pieces pass whatever they are: "Jeanne Martin 2026" for
    # Jeanne Martin. NIST asks to refuse the person's own words: so when they make up
    # more than half of it, it is refused whatever the score.
    covered = set()
    for match in matches:
        if match.get("dictionary_name") == "user_inputs":
            covered.update(range(match["i"], match["j"] + 1))
    return _Analysis(time_estimates.guesses_to_score(guesses), sequence, 2 * len(covered) > len(text))


def _guesses(text: str, matches: list[dict]) -> tuple[Any, list[dict]]:
    # Of the matches over the same characters only the cheapest can be in the cheapest
    # sequence: keeping just it spares zxcvbn's search most of its work on "ababab…".
    cheapest: dict[tuple[int, int], dict] = {}
    for match in matches:
        span = (match["i"], match["j"])
        if span not in cheapest or scoring.estimate_guesses(match, text) < scoring.estimate_guesses(
            cheapest[span], text
        ):
            cheapest[span] = match
    result = scoring.most_guessable_match_sequence(text, list(cheapest.values()))
    return result["guesses"], result["sequence"]


def _omnimatch(text: str, user_words: dict[str, int]) -> list[dict]:
    matches = _dictionary_match(text, user_words)
    matches += _reverse_dictionary_match(text, user_words)
    matches += _l33t_match(text, user_words)
    matches += _repeat_match(text, user_words)
    for matcher in (matching.spatial_match, matching.sequence_match, matching.regex_match, matching.date_match):
        matches += matcher(text)
    return sorted(matches, key=lambda match: (match["i"], match["j"]))


def _dictionary_match(text: str, user_words: dict[str, int]) -> list[dict]:
    """zxcvbn's dictionary_match over every dictionary at once. A word listed in several
    dictionaries is kept at its best rank: that is the one zxcvbn's scoring would pick."""
    lower = _lower(text)
    length = len(lower)
    user_max = max(map(len, user_words), default=0)
    matches = []
    for i in range(length):
        for j in range(i, min(length, i + _max_word_length)):
            word = lower[i : j + 1]
            found = _index.get(word)
            if found is not None:
                matches.append(_dictionary_entry(text, i, j, word, found >> 4, _names[found & 15]))
            elif not _is_prefix(word):
                break
        for j in range(i, min(length, i + user_max)):
            word = lower[i : j + 1]
            if word in user_words:
                matches.append(_dictionary_entry(text, i, j, word, user_words[word], "user_inputs"))
    return matches


def _lower(text: str) -> str:
    # Character by character: "İ".lower() is two code points and would shift positions.
    return "".join(char if len(low := char.lower()) != 1 else low for char in text)


def _is_prefix(word: str) -> bool:
    at = bisect.bisect_left(_sorted_words, word)
    return at < len(_sorted_words) and _sorted_words[at].startswith(word)


def _dictionary_entry(text, i, j, word, rank, name) -> dict:
    return {
        "pattern": "dictionary",
        "i": i,
        "j": j,
        "token": text[i : j + 1],
        "matched_word": word,
        "rank": rank,
        "dictionary_name": name,
        "reversed": False,
        "l33t": False,
    }


def _reverse_dictionary_match(text: str, user_words: dict[str, int]) -> list[dict]:
    matches = _dictionary_match(text[::-1], user_words)
    last = len(text) - 1
    for match in matches:
        match["token"] = match["token"][::-1]
        match["reversed"] = True
        match["i"], match["j"] = last - match["j"], last - match["i"]
    return matches


def _unleet_table() -> dict[str, list[str]]:
    """l33t character -> the letters it may stand for: zxcvbn's table turned around."""
    table: dict[str, list[str]] = {}
    for letter, chars in matching.L33T_TABLE.items():
        for char in chars:
            table.setdefault(char, []).append(letter)
    return table


_UNLEET = _unleet_table()


def _l33t_match(text: str, user_words: dict[str, int]) -> list[dict]:
    """Dictionary words written with substitutions (p@ssw0rd). zxcvbn tries every whole-
    password substitution table in turn, up to ~100 of them; this walks the text once,
    each l33t character standing for itself or one of its letters, consistently within a
    word, and stops as soon as no word starts that way. It finds every match zxcvbn finds,
    and a few more (one letter written two ways: "!1"), which only makes it stricter."""
    lower = _lower(text)
    length = len(lower)
    user_prefixes = {word[:end] for word in user_words for end in range(1, len(word) + 1)}
    longest = max([_max_word_length, *map(len, user_words)])
    matches = []
    for i in range(length):
        stack: list[tuple[int, str, dict[str, str]]] = [(i, "", {})]
        while stack:
            j, built, sub = stack.pop()
            if j >= length:
                continue
            char = lower[j]
            if char in sub:
                options = [(sub[char], sub)]
            elif char in _UNLEET:
                options = [(letter, {**sub, char: letter}) for letter in [char, *_UNLEET[char]]]
            else:
                options = [(char, sub)]
            for letter, new_sub in options:
                word = built + letter
                used = {l33t: plain for l33t, plain in new_sub.items() if l33t != plain}
                if used and j > i:
                    found = _index.get(word)
                    if found is not None:
                        matches.append(_l33t_entry(text, i, j, word, found >> 4, _names[found & 15], used))
                    if word in user_words:
                        matches.append(_l33t_entry(text, i, j, word, user_words[word], "user_inputs", used))
                if j + 1 - i < longest and (word in user_prefixes or _is_prefix(word)):
                    stack.append((j + 1, word, new_sub))
    return matches


def _l33t_entry(text, i, j, word, rank, name, sub) -> dict:
    entry = _dictionary_entry(text, i, j, word, rank, name)
    entry.update(l33t=True, sub=sub, sub_display=", ".join(f"{k} -> {v}" for k, v in sub.items()))
    return entry


_GREEDY = re.compile(r"(.+)\1+")
_LAZY = re.compile(r"(.+?)\1+")
_LAZY_ANCHORED = re.compile(r"^(.+?)\1+$")


def _repeat_match(text: str, user_words: dict[str, int]) -> list[dict]:
    """zxcvbn's repeat_match, scoring the repeated part with our matchers."""
    matches = []
    last_index = 0
    while last_index < len(text):
        greedy = _GREEDY.search(text, pos=last_index)
        lazy = _LAZY.search(text, pos=last_index)
        if not greedy or not lazy:
            break
        if len(greedy.group(0)) > len(lazy.group(0)):
            match, base = greedy, _LAZY_ANCHORED.search(greedy.group(0)).group(1)
        else:
            match, base = lazy, lazy.group(1)
        i, j = match.span()[0], match.span()[1] - 1
        analysis = scoring.most_guessable_match_sequence(base, _omnimatch(base, user_words))
        matches.append(
            {
                "pattern": "repeat",
                "i": i,
                "j": j,
                "token": match.group(0),
                "base_token": base,
                "base_guesses": analysis["guesses"],
                "base_matches": analysis["sequence"],
                "repeat_count": len(match.group(0)) / len(base),
            }
        )
        last_index = j + 1
    return matches


# Why it is easy to guess, in the person's language (zxcvbn's feedback is English only).

_NAME_LISTS = {"names_fr", "surnames", "male_names", "female_names"}
_PASSWORD_LISTS = {"passwords", "passwords_fr"}
_NUMBER_LISTS = {"postcodes_fr"}


def _guessable_message(sequence: list[dict]) -> str:
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


def _reason(match: dict) -> str:
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
