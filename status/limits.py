"""How many suspicious-message reports one network may send, so that nobody can flood the
security team's mailbox (or, later, the support desk) through Guichet.

An IPv4 address counts alone; an IPv6 address counts with its /64, which one home or phone
usually holds whole. A campus behind one NAT address shares the per-address allowance, so
it is generous; the daily ceiling for everyone together is the last guard.
"""

import ipaddress

from django.core.cache import cache

PER_ADDRESS = 10
WINDOW_SECONDS = 600
PER_DAY = 500


def network_of(ip: str | None) -> str:
    if not ip:
        return "unknown"
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)  # ::ffff:192.0.2.1 is 192.0.2.1
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _count(key: str, window: int) -> int:
    # add() only creates; incr() is atomic in Redis and locmem alike.
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, window)
        return 1


def allow_report(ip: str | None) -> bool:
    """Count one report from this address; False once the address or the day is over its limit."""
    if _count(f"status:reports:{network_of(ip)}", WINDOW_SECONDS) > PER_ADDRESS:
        return False
    return _count("status:reports:day", 86400) <= PER_DAY
