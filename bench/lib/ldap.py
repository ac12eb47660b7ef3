"""A slapd of the bench's own with 1,000 people, built with the tests' helper (testing/slapd.py).

Everyone has the same password (the sign-ins then differ only by who signs in); the
service account and ACLs are the tests' ones.
"""

import sys
from contextlib import AbstractContextManager as ContextManager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from testing import slapd as helper

from .seed import DOMAIN


def ldap_identifier(n: int) -> str:
    return f"ldap.{n:04d}@{DOMAIN}"


def _people(count: int, password: str) -> str:
    hashed = helper.ssha(password)  # one salt for all: the bench measures sign-ins, not slapadd
    return "\n".join(
        f"dn: uid=ldap.{n:04d},{helper.PEOPLE_DN}\n"
        "objectClass: inetOrgPerson\nobjectClass: eduPerson\nobjectClass: supannPerson\n"
        f"uid: ldap.{n:04d}\ncn: Bench {n}\nsn: Bench\ndisplayName: Bench {n}\n"
        f"mail: {ldap_identifier(n)}\neduPersonPrincipalName: ldap.{n:04d}@{DOMAIN}\n"
        f"supannMailPerso: ldap.{n:04d}@example.org\neduPersonAffiliation: student\n"
        f"userPassword: {hashed}\n"
        for n in range(count)
    )


def bench_slapd(count: int, password: str) -> ContextManager[helper.SlapdServer]:
    """slapd on a free loopback port with `count` people; stopped and wiped on exit."""
    return helper.running_slapd(extra_entries=_people(count, password))
