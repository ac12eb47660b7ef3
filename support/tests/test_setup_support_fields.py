"""The set-up file's support fields: closures, helpdesk and FAQ topics, with errors that name
the line and the field."""

from pathlib import Path

import pytest
from django.conf import settings

from institutions.loader import SetupError, load
from institutions.models import FaqEntry, Institution


def variant(tmp_path: Path, old: str, new: str) -> Path:
    text = Path(settings.GUICHET_SETUP_FILE).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "setup.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_shipped_setup_has_closures_and_faq_topics(poitiers):
    university = Institution.objects.get(slug="univ-poitiers")
    assert university.support_closures[0]["start"] == "2026-12-24"
    assert university.support_closures[0]["label_fr"] == "Fermeture de fin d'année"
    assert "connexion-suspendue" in FaqEntry.objects.get(slug="connexion-suspendue").topics


@pytest.mark.django_db
def test_a_helpdesk_is_read_per_institution(tmp_path):
    path = variant(
        tmp_path,
        "    support_closures:\n",
        "    helpdesk: {connector: glpi, url: https://glpi.example.fr/apirest.php, entity: 2}\n    support_closures:\n",
    )
    load(path)
    assert Institution.objects.get(slug="univ-poitiers").helpdesk == {
        "connector": "glpi",
        "url": "https://glpi.example.fr/apirest.php",
        "entity": 2,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("start: 2026-12-24, end: 2027-01-01", "start: 2027-01-24, end: 2027-01-01", "end"),
        ("start: 2026-12-24", "start: Noël", "start"),
    ],
)
def test_a_wrong_closure_names_its_field(tmp_path, old, new, field):
    with pytest.raises(SetupError) as error:
        load(variant(tmp_path, old, new))
    assert error.value.field.endswith(field)


@pytest.mark.django_db
def test_an_unknown_connector_is_refused(tmp_path):
    path = variant(
        tmp_path,
        "    support_closures:\n",
        "    helpdesk: {connector: otrs, url: https://x.example.fr/}\n    support_closures:\n",
    )
    with pytest.raises(SetupError) as error:
        load(path)
    assert "glpi" in str(error.value)
