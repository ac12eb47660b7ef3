"""Reading a suspicious message someone pasted or uploaded (.eml): headers that tell who
sent it, its text, and every link in it. Pure stdlib `email`; the message's HTML is only
read for its links and its words, never rendered anywhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from html.parser import HTMLParser

MAX_LINKS = 50
_HEADERS = ("From", "Reply-To", "Return-Path", "To", "Subject", "Date")
# Words that start a link in plain text. Candidates only: status.linkcheck does the parsing.
_STARTS = ("http://", "https://", "www.", "hxxp://", "hxxps://")


@dataclass
class Parsed:
    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""
    links: list[str] = field(default_factory=list)
    sender_domain: str = ""
    reply_to_domain: str = ""
    had_headers: bool = False

    @property
    def replies_elsewhere(self) -> bool:
        """Answers would go to another domain than the one shown as sender: a classic lure."""
        return bool(self.reply_to_domain and self.sender_domain and self.reply_to_domain != self.sender_domain)


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("href", "action", "src") and value and tag in ("a", "area", "form", "iframe"):
                self.links.append(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.words.append(data)


def _text_links(text: str) -> list[str]:
    found = []
    for token in text.replace("<", " ").replace(">", " ").replace('"', " ").replace("'", " ").split():
        lowered = token.lower()
        if lowered.startswith(_STARTS):
            # Defanged « hxxp » links (as security teams write them) are still links.
            token = "http" + token[4:] if lowered.startswith("hxxp") else token
            found.append(token.rstrip(".,;:!?)]}»"))
    return found


def _unique(links: list[str]) -> list[str]:
    return list(dict.fromkeys(link for link in links if link))[:MAX_LINKS]


def parse(raw: bytes) -> Parsed:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    headers = {}
    for name in _HEADERS:
        value = message.get(name)
        if value is not None:
            headers[name] = " ".join(str(value).split())[:500]
    had_headers = any(name in headers for name in ("From", "Subject", "Reply-To", "Return-Path"))
    if not had_headers:
        # Pasted text without headers: the whole of it is the body.
        body = raw.decode("utf-8", "replace")
        return Parsed(text=body, links=_unique(_text_links(body)))
    texts, links = [], []
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        try:
            content = part.get_content()
        except (LookupError, ValueError):
            # An unknown charset: the raw bytes, decoded leniently (a leaf part's payload is bytes).
            payload = part.get_payload(decode=True)
            content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        if part.get_content_subtype() == "html":
            reader = _Html()
            reader.feed(content)
            links += reader.links
            if not any(p.get_content_type() == "text/plain" for p in message.walk()):
                texts.append(" ".join(" ".join(reader.words).split()))
            links += _text_links(" ".join(reader.words))
        else:
            texts.append(content)
            links += _text_links(content)
    return Parsed(
        headers=headers,
        text="\n\n".join(texts).strip(),
        links=_unique(links),
        sender_domain=_domain(headers.get("From", "")),
        reply_to_domain=_domain(headers.get("Reply-To", "")),
        had_headers=True,
    )


def _domain(header: str) -> str:
    found = getaddresses([header])
    address = found[0][1] if found else ""
    return address.rsplit("@", 1)[-1].lower() if "@" in address else ""
