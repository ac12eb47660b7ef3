import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


def test_the_english_catalogue_is_complete():
    result = subprocess.run(
        [shutil.which("msgfmt"), "--check", "--statistics", "-o", "/dev/null", LOCALE / "en/LC_MESSAGES/django.po"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr
    assert "translated messages" in result.stderr


@pytest.mark.django_db
def test_french_is_the_default_and_english_lives_under_en(client, poitiers):
    fr = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    en = client.get("/en/").content.decode()
    assert '<html lang="fr">' in fr and "Se connecter</a>" in fr
    assert '<html lang="en">' in en and "Sign in</a>" in en and "Se connecter</a>" not in en
    assert "Which mail service is yours?" in en and "University mail, shared calendars" in en


@pytest.mark.django_db
def test_each_page_links_to_the_same_page_in_the_other_language(client, poitiers):
    assert 'href="/en/plateformes/zimbra/" hreflang="en"' in client.get("/plateformes/zimbra/").content.decode()
    assert 'href="/plateformes/zimbra/" hreflang="fr"' in client.get("/en/plateformes/zimbra/").content.decode()
