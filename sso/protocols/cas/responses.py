"""The answers of the CAS 3.0 validation and proxy end points: XML (§2.5.2), JSON
(§2.5.1 `format=JSON`, Appendix of the protocol) and the CAS 1.0 two-line text (§2.4.2)."""

import json
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from ...access import released
from .rules import Validation

NS = "http://www.yale.edu/tp/cas"
ET.register_namespace("cas", NS)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def attributes(validation: Validation) -> dict[str, list[str]]:
    """CAS 3.0 §2.6.2 attributes: the authentication ones, then what the registry releases."""
    row = validation.row
    assert row is not None
    values = {
        "authenticationDate": [_iso(row.login_at or row.created_at)],
        "isFromNewLogin": [str(row.from_credentials).lower()],
        # No "remember me" exists in Guichet: never a long-term authentication.
        "longTermAuthenticationRequestTokenUsed": ["false"],
    }
    values.update(released(row.account, row.client.config.get("attributes", [])))
    return values


def success(validation: Validation, *, with_attributes: bool, fmt: str = "XML") -> tuple[bytes, str]:
    row = validation.row
    assert row is not None
    attrs = attributes(validation) if with_attributes else {}
    if fmt == "JSON":
        body: dict[str, Any] = {"user": row.account.identifier}
        if validation.pgtiou:
            body["proxyGrantingTicket"] = validation.pgtiou
        if row.proxies:
            body["proxies"] = list(row.proxies)
        if attrs:
            body["attributes"] = attrs
        return _json({"authenticationSuccess": body})
    root = ET.Element(f"{{{NS}}}serviceResponse")
    node = ET.SubElement(root, f"{{{NS}}}authenticationSuccess")
    ET.SubElement(node, f"{{{NS}}}user").text = row.account.identifier
    if attrs:
        holder = ET.SubElement(node, f"{{{NS}}}attributes")
        for name, items in attrs.items():
            for value in items:
                ET.SubElement(holder, f"{{{NS}}}{name}").text = value
    if validation.pgtiou:
        ET.SubElement(node, f"{{{NS}}}proxyGrantingTicket").text = validation.pgtiou
    if row.proxies:
        chain = ET.SubElement(node, f"{{{NS}}}proxies")
        for url in row.proxies:
            ET.SubElement(chain, f"{{{NS}}}proxy").text = url
    return _xml(root)


def failure(code: str, message: str, *, fmt: str = "XML") -> tuple[bytes, str]:
    if fmt == "JSON":
        return _json({"authenticationFailure": {"code": code, "description": message}})
    root = ET.Element(f"{{{NS}}}serviceResponse")
    ET.SubElement(root, f"{{{NS}}}authenticationFailure", code=code).text = message
    return _xml(root)


def proxy_success(ticket: str, *, fmt: str = "XML") -> tuple[bytes, str]:
    if fmt == "JSON":
        return _json({"proxySuccess": {"proxyTicket": ticket}})
    root = ET.Element(f"{{{NS}}}serviceResponse")
    ET.SubElement(ET.SubElement(root, f"{{{NS}}}proxySuccess"), f"{{{NS}}}proxyTicket").text = ticket
    return _xml(root)


def proxy_failure(code: str, message: str, *, fmt: str = "XML") -> tuple[bytes, str]:
    if fmt == "JSON":
        return _json({"proxyFailure": {"code": code, "description": message}})
    root = ET.Element(f"{{{NS}}}serviceResponse")
    ET.SubElement(root, f"{{{NS}}}proxyFailure", code=code).text = message
    return _xml(root)


def v1(validation: Validation) -> tuple[bytes, str]:
    """CAS 1.0: "yes\\n<user>\\n" or "no\\n\\n", nothing else (§2.4.2)."""
    text = f"yes\n{validation.row.account.identifier}\n" if validation.row else "no\n\n"
    return text.encode(), "text/plain; charset=utf-8"


def _xml(root: ET.Element) -> tuple[bytes, str]:
    return ET.tostring(root, encoding="utf-8", xml_declaration=False), "application/xml; charset=utf-8"


def _json(response: dict[str, Any]) -> tuple[bytes, str]:
    return json.dumps({"serviceResponse": response}).encode(), "application/json"
