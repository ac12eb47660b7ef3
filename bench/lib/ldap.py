"""A slapd of the bench's own with 1,000 people, built with the tests' helper (testing/slapd.py).

Everyone has the same password (the sign-ins then differ only by who signs in); the
service account and ACLs are the tests' ones.
"""

import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def bench_slapd(count: int, password: str) -> Iterator[helper.SlapdServer]:
    """slapd on a free loopback port with `count` people; stopped and wiped on exit."""
    if not helper.SLAPD.exists():
        raise helper.SlapdError(helper.MISSING.format(path=helper.SLAPD))
    workdir = Path(tempfile.mkdtemp(prefix="guichet-bench-slapd-"))
    server = helper.SlapdServer(
        url="",
        tls_url="",
        port=0,
        ca_file="",
        bind_password=secrets.token_urlsafe(16),
        root_password=secrets.token_urlsafe(16),
        passwords={},
        workdir=workdir,
    )
    try:
        (workdir / "data").mkdir()
        tls = helper._write_tls(workdir)
        config = workdir / "slapd.conf"
        config.write_text(helper._config(workdir, server.root_password, tls))
        seed = workdir / "seed.ldif"
        seed.write_text(helper._seed(server.bind_password, {}) + "\n" + _people(count, password), encoding="utf-8")
        helper._run([str(helper.SLAPADD), "-q", "-f", str(config), "-l", str(seed)], "slapadd")
        helper._start(server, config)
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
