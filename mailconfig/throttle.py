"""How often one network may run the connection test: a fixed hourly window per address.

An IPv6 client controls its whole /64, so the /64 counts as one address; IPv4 counts per
address (a campus behind one NAT shares it, hence a limit that a person never meets alone).
"""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache

WINDOW = 3600


def network_of(ip: str) -> str:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def allow(ip: str) -> bool:
    """Count one test for this network; False once the hour's allowance is spent."""
    window = int(time.time() // WINDOW)
    key = f"mailconfig:probe:{network_of(ip)}:{window}"
    cache.add(key, 0, WINDOW + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: start again
        cache.add(key, 1, WINDOW + 60)
        count = 1
    return count <= settings.GUICHET_MAILCONFIG_TESTS_PER_HOUR
