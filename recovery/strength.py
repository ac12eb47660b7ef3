"""The strength engine of the password policy: zxcvbn's scoring with French lists.

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
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from zxcvbn import matching, scoring, time_estimates

ZXCVBN_MAX_CHARS = 48
FRENCH_WORDS = 50_000  # the most frequent words of pyspellchecker's French dictionary

DATA_DIR = Path(__file__).resolve().parent / "data"
# One of zxcvbn's matches: a plain dict whose keys depend on its "pattern".
Match = dict[str, Any]


def normalize(password: str) -> str:
    return unicodedata.normalize("NFC", password)


def fold(text: str) -> str:
    return normalize(text).strip().casefold()


def read_list(name: str) -> list[str]:
    words = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        word = fold(line)
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
                "passwords_fr": read_list("common-fr.txt"),
                "names_fr": _with_plain_variants(read_list("names-fr.txt")),
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
    out: dict[str, None] = {}
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
        value = fold(str(value or ""))
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


class Analysis(NamedTuple):
    score: int
    sequence: list[Match]  # zxcvbn's cheapest way to guess it, for the message
    personal: bool  # more than half of it is the person's own words


def analyse(text: str, user_inputs: Iterable[str]) -> Analysis:
    _setup()
    text = text[:ZXCVBN_MAX_CHARS]
    if not text:
        return Analysis(0, [], False)
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
    covered: set[int] = set()
    for match in matches:
        if match.get("dictionary_name") == "user_inputs":
            covered.update(range(match["i"], match["j"] + 1))
    return Analysis(time_estimates.guesses_to_score(guesses), sequence, 2 * len(covered) > len(text))


def _guesses(text: str, matches: list[Match]) -> tuple[Any, list[Match]]:
    # Of the matches over the same characters only the cheapest can be in the cheapest
    # sequence: keeping just it spares zxcvbn's search most of its work on "ababab…".
    cheapest: dict[tuple[int, int], Match] = {}
    for match in matches:
        span = (match["i"], match["j"])
        if span not in cheapest or scoring.estimate_guesses(match, text) < scoring.estimate_guesses(
            cheapest[span], text
        ):
            cheapest[span] = match
    result = scoring.most_guessable_match_sequence(text, list(cheapest.values()))
    return result["guesses"], result["sequence"]


def _omnimatch(text: str, user_words: dict[str, int]) -> list[Match]:
    matches = _dictionary_match(text, user_words)
    matches += _reverse_dictionary_match(text, user_words)
    matches += _l33t_match(text, user_words)
    matches += _repeat_match(text, user_words)
    for matcher in (matching.spatial_match, matching.sequence_match, matching.regex_match, matching.date_match):
        matches += matcher(text)
    return sorted(matches, key=lambda match: (match["i"], match["j"]))


def _dictionary_match(text: str, user_words: dict[str, int]) -> list[Match]:
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


def _dictionary_entry(text: str, i: int, j: int, word: str, rank: int, name: str) -> Match:
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


def _reverse_dictionary_match(text: str, user_words: dict[str, int]) -> list[Match]:
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


def _l33t_match(text: str, user_words: dict[str, int]) -> list[Match]:
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


def _l33t_entry(text: str, i: int, j: int, word: str, rank: int, name: str, sub: dict[str, str]) -> Match:
    entry = _dictionary_entry(text, i, j, word, rank, name)
    entry.update(l33t=True, sub=sub, sub_display=", ".join(f"{k} -> {v}" for k, v in sub.items()))
    return entry


_GREEDY = re.compile(r"(.+)\1+")
_LAZY = re.compile(r"(.+?)\1+")
_LAZY_ANCHORED = re.compile(r"^(.+?)\1+$")


def _repeat_match(text: str, user_words: dict[str, int]) -> list[Match]:
    """zxcvbn's repeat_match, scoring the repeated part with our matchers."""
    matches = []
    last_index = 0
    while last_index < len(text):
        greedy = _GREEDY.search(text, pos=last_index)
        lazy = _LAZY.search(text, pos=last_index)
        if not greedy or not lazy:
            break
        if len(greedy.group(0)) > len(lazy.group(0)):
            # A greedy repeat is always some shorter unit repeated: the anchored lazy form matches it.
            anchored = _LAZY_ANCHORED.search(greedy.group(0))
            match, base = greedy, anchored.group(1) if anchored else greedy.group(1)
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
