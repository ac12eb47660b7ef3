"""Compound fields of the set-up file: identity, networks, opening hours, closures, helpdesk."""

import ipaddress
import re
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from .. import identity
from .fields import Record

HELPDESK_CONNECTORS = ("glpi",)  # support/connectors/<name>.py
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
MIN_PREFIX_V4, MIN_PREFIX_V6 = 8, 32


def brand(rec: Record) -> dict[str, Any]:
    """Logo, official host name and colour (all optional), checked (institutions/identity.py)."""
    out: dict[str, Any] = {"logo_svg": "", "host": "", "colour": ""}
    if "logo" in rec.fields:
        svg, problem = identity.read_logo(rec.node.path, rec.text("logo"))
        if problem:
            raise rec.fail("logo", problem)
        out["logo_svg"] = svg
    if "host" in rec.fields:
        host = rec.text("host")
        problem = identity.check_host(host)
        if problem:
            raise rec.fail("host", problem)
        out["host"] = host.lower()
    out["colour"] = colour(rec, "colour", identity.LIGHT_BG)
    return out


def colour(rec: Record, name: str, background: str) -> str:
    if name not in rec.fields:
        return ""
    value = rec.text(name)
    problem = identity.check_colour(value, background)
    if problem:
        raise rec.fail(name, problem)
    return value


def checks(rec: Record, name: str) -> list[dict[str, str]]:
    out = []
    for item in rec.optional_items(name):
        check = Record(item, {"slug", "label"})
        label = check.translated("label")
        out.append({"slug": check.slug(), "label_fr": label[0], "label_en": label[1]})
    return out


def networks(rec: Record, name: str) -> list[str]:
    """CIDR blocks (« 192.0.2.0/24 », « 2001:db8::/48 »), written as their network address."""
    out = []
    for item in rec.optional_items(name):
        try:
            network = ipaddress.ip_network(str(item.scalar()).strip(), strict=True)
        except ValueError:
            raise item.fail(_("un réseau en notation CIDR est attendu, par exemple 192.0.2.0/24")) from None
        # A whole slice of the Internet declared as a campus would disarm the address rules.
        if network.prefixlen < (MIN_PREFIX_V4 if network.version == 4 else MIN_PREFIX_V6):
            message = _("réseau trop large (/%(v4)s en IPv4, /%(v6)s en IPv6 au plus)")
            raise item.fail(message % {"v4": MIN_PREFIX_V4, "v6": MIN_PREFIX_V6})
        out.append(str(network))
    return out


def hours(rec: Record, name: str) -> dict[str, list[str]]:
    child = rec.get(name, False)
    if child is None:
        return {}
    out = {}
    for day, ranges in child.mapping().items():
        if day not in DAYS:
            raise ranges.fail(_("jour inconnu (attendus : %(days)s)") % {"days": ", ".join(DAYS)})
        values = []
        for item in ranges.items():
            value = item.scalar()
            if not isinstance(value, str) or not HOURS.match(value) or value[:5] >= value[6:]:
                raise item.fail(_("une plage « HH:MM-HH:MM » est attendue"))
            values.append(value)
        out[day] = values
    return out


def closures(rec: Record, name: str) -> list[dict[str, str]]:
    """Days the desk is closed (issue 11): start, optional end, optional label."""
    out = []
    for item in rec.optional_items(name):
        closure = Record(item, {"start", "end", "label"})
        start = _date(closure, "start")
        end = _date(closure, "end") if "end" in closure.fields else start
        if end < start:
            raise closure.fail("end", _("la fin précède le début"))
        label = closure.translated("label", required=False)
        out.append({"start": start.isoformat(), "end": end.isoformat(), "label_fr": label[0], "label_en": label[1]})
    return out


def _date(rec: Record, name: str) -> date:
    value = rec.require(name).scalar()
    if not isinstance(value, date):
        raise rec.fail(name, _("une date AAAA-MM-JJ est attendue"))
    return value


def helpdesk(rec: Record, name: str) -> dict[str, Any]:
    child = rec.get(name, False)
    if child is None:
        return {}
    desk = Record(child, {"connector", "url", "entity", "category", "requester"})
    message = _("connecteurs connus : %(names)s") % {"names": ", ".join(HELPDESK_CONNECTORS)}
    out: dict[str, Any] = {
        "connector": desk.choice("connector", dict.fromkeys(HELPDESK_CONNECTORS), message),
        "url": desk.url("url"),
    }
    for field in ("entity", "category"):
        number = desk.whole_number(field)
        if number is not None:
            out[field] = number
    return out
