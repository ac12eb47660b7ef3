"""The pages every look-and-feel test visits, and a detector of French text on English pages.

One list for the server-side language test, the screenshots and their references, the axe
checks and Lighthouse, so a new page is added once.
"""

import re
from collections.abc import Set as AbstractSet
from html.parser import HTMLParser

# (name, French path); the English path is "/en" + the French one.
ANONYMOUS = [
    ("home", "/"),
    ("route", "/orientation/?identifier=jeanne.martin%40exemple.fr"),
    ("platform", "/plateformes/convergence/"),
    ("login", "/login/"),
    ("login-profile", "/login/?profil=etudiant"),
    ("reset", "/password/reset/"),
    ("reset-code", "/password/reset/code/"),
    ("accessibility", "/accessibilite/"),
    ("not-found", "/nulle-part/"),
]
SIGNED_IN = [
    ("services", "/services/"),
    ("connections", "/compte/connexions/"),
    ("contacts", "/compte/contacts/"),
    ("security", "/compte/securite/"),
]


def english(path: str) -> str:
    return "/en" + path


# Words that only French uses (short function words and the site's own vocabulary).
_FRENCH_WORDS = {
    "le", "la", "les", "des", "du", "aux", "votre", "vos", "vous", "est", "sont", "pour", "avec",
    "sur", "dans", "une", "mot", "passe", "connexion", "messagerie", "accueil", "connecter",
    "réessayer", "oublié", "courriel", "identifiant", "établissement", "déconnecter", "aide",
    "nouveau", "mes", "ou", "et", "ce", "cette", "qui", "pas", "être", "plus", "très",
}  # fmt: skip
# Proper names that keep their accents (and words) in English.
_NAMES = {"académie", "poitiers", "guichet"}
_NAMED_PHRASES = ("Défenseur des droits", "Libre réponse", "Liberté", "Égalité", "Fraternité")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_ACCENTED = re.compile(r"[àâçéèêëîïôûùüÿœæ]", re.I)
_READ_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "value", "data-message", "data-default"}


class _Text(HTMLParser):
    """Visible and announced text, minus what is marked lang="fr" (names, the State block)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skip = tag in ("script", "style", "code") or attributes.get("lang") == "fr" or tag == "option"
        if tag in ("input", "meta", "link", "img", "br", "hr", "source"):
            if not skip and not self._skipping():
                if tag == "meta" and attributes.get("name") == "description":
                    self.parts.append(attributes.get("content") or "")
                if tag == "input" and attributes.get("type") in ("hidden", "text", "email", "tel", "password"):
                    attributes.pop("value", None)  # what the person typed, not our text
                self.parts += [v or "" for k, v in attributes.items() if k in _READ_ATTRIBUTES]
            return
        self.stack.append((tag, skip))
        if not skip and not self._skipping():
            self.parts += [v or "" for k, v in attributes.items() if k in _READ_ATTRIBUTES]

    def handle_endtag(self, tag):
        while self.stack:
            name, _ = self.stack.pop()
            if name == tag:
                break

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def french_words(html: str, allowed: AbstractSet[str] = frozenset()) -> list[str]:
    """The words of the page that are French, lower-cased, in order of appearance."""
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    for phrase in _NAMED_PHRASES:
        text = text.replace(phrase, " ")
    found = []
    for word in _WORD.findall(text):
        lower = word.lower()
        if lower in _NAMES or lower in allowed or "@" in word:
            continue
        if lower in _FRENCH_WORDS or _ACCENTED.search(lower):
            found.append(lower)
    return found
