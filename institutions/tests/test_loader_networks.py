"""The institutions' networks (issue 10): declared in the set-up file as CIDR, checked on load."""

import ipaddress
from pathlib import Path

import pytest
from django.conf import settings

from institutions import models
from institutions.loader import SetupError, load
from institutions.queries import institution_networks

SHIPPED = 'networks: [192.0.2.192/26, "2001:db8:ca5::/48"]'


def _with_networks(tmp_path: Path, value: str) -> Path:
    text = Path(settings.GUICHET_SETUP_FILE).read_text(encoding="utf-8")
    assert SHIPPED in text
    path = tmp_path / "setup.yaml"
    path.write_text(text.replace(SHIPPED, f"networks: {value}"), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_the_shipped_networks_are_loaded_and_served(poitiers):
    assert models.Institution.objects.get(slug="univ-poitiers").networks == ["192.0.2.192/26", "2001:db8:ca5::/48"]
    networks = institution_networks()
    assert ipaddress.ip_address("192.0.2.200") in networks[0]
    assert ipaddress.ip_address("2001:db8:ca5:1::9") in networks[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[192.0.2.300/24]", "notation CIDR"),
        ("[192.0.2.1/24]", "notation CIDR"),  # host bits set: a typo, not a network
        ("[campus]", "notation CIDR"),
        ("[0.0.0.0/0]", "trop large"),
        ('["2001::/16"]', "trop large"),
    ],
)
def test_a_wrong_network_names_its_line_and_changes_nothing(tmp_path, poitiers, value, message):
    path = _with_networks(tmp_path, value)
    with pytest.raises(SetupError) as caught:
        load(path)
    assert message in str(caught.value) and caught.value.field == "institutions[0].networks[0]"
    assert caught.value.line == path.read_text().splitlines().index(f"    networks: {value}") + 1
    assert models.Institution.objects.get(slug="univ-poitiers").networks == ["192.0.2.192/26", "2001:db8:ca5::/48"]


@pytest.mark.django_db
def test_a_changed_network_is_served_at_once(tmp_path, poitiers):
    load(_with_networks(tmp_path, "[10.20.0.0/16]"))
    assert institution_networks() == (ipaddress.ip_network("10.20.0.0/16"),)
