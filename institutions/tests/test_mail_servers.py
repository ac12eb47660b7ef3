"""The set-up's `mail_clients:` block: checked with errors at the right line, stored per
platform, unconfirmed until an administrator confirms (guichet.W002), never un-confirmed by
a reload."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks

from institutions.loader import SetupError, load
from institutions.models import Platform

SHIPPED = settings.GUICHET_SETUP_FILE
pytestmark = pytest.mark.django_db


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "setup.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _w002() -> list[str]:
    return sorted(m.obj.slug for m in run_checks(tags=["guichet"]) if m.id == "guichet.W002")


def test_the_shipped_settings_are_stored_per_platform():
    load(SHIPPED)
    zimbra = Platform.objects.get(slug="zimbra").mail_servers
    assert zimbra["incoming"][0] == {
        "protocol": "imap",
        "host": "imap.univ-poitiers.fr",
        "port": 993,
        "security": "tls",
    }
    assert zimbra["auth"] == ["password", "oauth2"] and zimbra["oauth2_client"] == "thunderbird"
    assert Platform.objects.get(slug="exchange").mail_servers["autodiscover"] is False


def test_every_platform_warns_until_an_administrator_confirms(poitiers, admin_client):
    assert _w002() == ["convergence", "exchange", "zimbra"]
    zimbra = Platform.objects.get(slug="zimbra")
    response = admin_client.post(
        "/admin/institutions/platform/",
        {"action": "confirm_mail_servers", "_selected_action": [zimbra.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Platform.objects.get(slug="zimbra").mail_servers_confirmed
    assert _w002() == ["convergence", "exchange"]
    load(SHIPPED)  # a reload keeps the confirmation while the settings stay the same
    assert _w002() == ["convergence", "exchange"]


def test_a_changed_host_is_unconfirmed_again(tmp_path):
    load(SHIPPED)
    zimbra = Platform.objects.get(slug="zimbra")
    zimbra.confirmed_mail_servers = zimbra.mail_servers
    zimbra.save()
    load(_edited(tmp_path, "host: imap.univ-poitiers.fr", "host: imap2.univ-poitiers.fr"))
    assert not Platform.objects.get(slug="zimbra").mail_servers_confirmed


def test_the_file_can_confirm(tmp_path):
    load(_edited(tmp_path, "  convergence:\n    confirmed: false", "  convergence:\n    confirmed: true"))
    assert Platform.objects.get(slug="convergence").mail_servers_confirmed


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("port: 993, security: tls}", "port: 99999, security: tls}", "numéro de port"),
        ("port: 993, security: tls}", "port: 993, security: none}", "starttls"),
        ("{protocol: imap, host: imap.ac-poitiers.fr", "{protocol: ftp, host: imap.ac-poitiers.fr", "imap, pop3"),
        ("host: imap.ac-poitiers.fr", "host: 'imap ac-poitiers'", "nom d'hôte"),
        (
            "    auth: [password]\n    incoming:\n      - {protocol: imap, host: imap.ac",
            "    auth: [kerberos]\n    incoming:\n      - {protocol: imap, host: imap.ac",
            "password",
        ),
        ("    oauth2_client: thunderbird\n", "", "oauth2_client"),
        ("  convergence:\n    confirmed: false", "  convergance:\n    confirmed: false", "convergance"),
    ],
)
def test_a_wrong_value_names_its_line_and_changes_nothing(tmp_path, old, new, message):
    load(SHIPPED)
    before = list(Platform.objects.values_list("mail_servers", flat=True))
    with pytest.raises(SetupError, match=message) as caught:
        load(_edited(tmp_path, old, new))
    assert caught.value.line > 0
    assert list(Platform.objects.values_list("mail_servers", flat=True)) == before
