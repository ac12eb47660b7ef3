"""A mail-autodiscovery library nobody here wrote (myl-discovery, PyPI) reads Guichet's
autoconfig file the way it reads any provider's, and finds the servers of the set-up."""

import pytest
from myldiscovery import discovery

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("address", "imap", "smtp"),
    [
        (
            "jeanne.martin@ac-poitiers.fr",
            {"server": "imap.ac-poitiers.fr", "port": 993, "starttls": False, "ssl": True},
            {"server": "smtp.ac-poitiers.fr", "port": 465, "starttls": False, "ssl": True},
        ),
        (
            "jeanne.martin@chu-poitiers.fr",
            {"server": "imap.chu-poitiers.fr", "port": 993, "starttls": False, "ssl": True},
            {"server": "smtp.chu-poitiers.fr", "port": 587, "starttls": True, "ssl": False},
        ),
    ],
)
def test_myl_discovery_reads_guichets_autoconfig(client, poitiers, address, imap, smtp):
    response = client.get("/.well-known/autoconfig/mail/config-v1.1.xml", {"emailaddress": address})
    assert discovery.parse_autoconfig(response.content.decode()) == {"imap": imap, "smtp": smtp}
