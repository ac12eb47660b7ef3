"""The anti-phishing rules come from the set-up file: loaded idempotently, errors named by
file, line and field, and what the file no longer names is removed."""

import pytest
from django.conf import settings

from institutions.loader import SetupError, load
from institutions.models import Revision, SafetyRules

pytestmark = pytest.mark.django_db


def _copy(tmp_path, old="", new=""):
    text = settings.GUICHET_SETUP_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "setup.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_shipped_rules_load_for_each_institution(poitiers):
    rules = {r.institution.slug: r for r in SafetyRules.objects.select_related("institution")}
    assert set(rules) == {"univ-poitiers", "ac-poitiers", "chu-poitiers"}
    assert rules["chu-poitiers"].sender_domains == ["chu-poitiers.fr"]
    assert rules["univ-poitiers"].official_hosts == ["www.univ-poitiers.fr", "univ-poitiers.fr"]
    assert rules["ac-poitiers"].never_asks[0] == {
        "fr": "Votre mot de passe, ni par courriel, ni par téléphone, ni par SMS",
        "en": "Your password, by e-mail, telephone or text message",
    }


def test_loading_twice_changes_nothing(poitiers):
    before = Revision.current()
    load(settings.GUICHET_SETUP_FILE)
    assert Revision.current() == before


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "official_hosts: [www.univ-poitiers.fr,",
            "official_hosts: [https://www.univ-poitiers.fr/,",
            "official_hosts[0]",
        ),
        ("  - institution: ac-poitiers\n    sender", "  - institution: ac-poitier\n    sender", "institution"),
        ("    official_hosts: [www.chu", "    official_host: [www.chu", "official_host"),
    ],
)
def test_a_mistake_names_its_line_and_field(poitiers, tmp_path, old, new, field):
    path = _copy(tmp_path, old, new)
    with pytest.raises(SetupError) as caught:
        load(path)
    assert caught.value.field.endswith(field), caught.value.field
    assert caught.value.line > 250
    assert SafetyRules.objects.count() == 3  # nothing changed


def test_rules_the_file_no_longer_names_are_removed(poitiers, tmp_path):
    text = settings.GUICHET_SETUP_FILE.read_text(encoding="utf-8")
    path = tmp_path / "setup.yaml"
    path.write_text(text[: text.index("\nsafety:")], encoding="utf-8")
    load(path)
    assert SafetyRules.objects.count() == 0
