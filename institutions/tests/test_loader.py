"""The set-up file: idempotent loading and errors that point at the file, line and field."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError

from institutions import models
from institutions.loader import SetupError, load

SHIPPED = settings.GUICHET_SETUP_FILE
SETUP_MODELS = [
    models.Institution,
    models.Platform,
    models.Public,
    models.MailDomain,
    models.Profile,
    models.FaqEntry,
    models.Revision,
]


def _snapshot() -> str:
    return "".join(serializers.serialize("json", m.objects.order_by("pk")) for m in SETUP_MODELS)


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "setup.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    """The last line containing needle (or equal to it, for a needle ending in a newline)."""
    lines = list(enumerate(path.read_text().splitlines(keepends=True), 1))
    return [i for i, line in lines if (line == needle if needle.endswith("\n") else needle in line)][-1]


@pytest.mark.django_db
def test_loading_twice_gives_the_same_database():
    load(SHIPPED)
    first = _snapshot()
    load(SHIPPED)
    assert _snapshot() == first


@pytest.mark.django_db
def test_the_shipped_set_up_has_the_three_platforms_and_four_domains():
    counts = load(SHIPPED)
    assert counts["platforms"] == 3
    assert counts["recovery_paths"] == 3
    assert set(models.MailDomain.objects.values_list("domain", flat=True)) == {
        "ac-poitiers.fr",
        "univ-poitiers.fr",
        "etu.univ-poitiers.fr",
        "chu-poitiers.fr",
    }
    assert dict(models.Public.objects.values_list("slug", "platform__slug")) == {
        "academie": "convergence",
        "universite": "zimbra",
        "chu": "exchange",
    }


@pytest.mark.django_db
def test_every_shipped_webmail_address_is_unconfirmed():
    load(SHIPPED)
    assert not any(p.url_confirmed for p in models.Platform.objects.all())


@pytest.mark.django_db
def test_an_administrators_confirmation_survives_a_reload_but_not_a_new_address(tmp_path):
    load(SHIPPED)
    zimbra = models.Platform.objects.get(slug="zimbra")
    zimbra.confirmed_url = zimbra.webmail_url
    zimbra.save()
    load(SHIPPED)
    assert models.Platform.objects.get(slug="zimbra").url_confirmed
    load(_broken(tmp_path, "https://webmail.univ-poitiers.fr/", "https://mail.univ-poitiers.fr/"))
    assert not models.Platform.objects.get(slug="zimbra").url_confirmed


@pytest.mark.django_db
def test_an_entry_removed_from_the_file_is_removed_from_the_database(tmp_path):
    load(SHIPPED)
    text = SHIPPED.read_text(encoding="utf-8")
    start = text.index("  - slug: client-messagerie")
    end = text.index("\n\n", start)
    path = tmp_path / "setup.yaml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    load(path)
    assert not models.FaqEntry.objects.filter(slug="client-messagerie").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new", "needle", "field"),
    [
        (
            "webmail_url: https://webmail.ac-poitiers.fr/",
            "webmail_url: http://webmail.ac-poitiers.fr/",
            "http://webmail",
            "platforms[0].webmail_url",
        ),
        ("    platform: zimbra\n", "    platform: zimbrra\n", "platform: zimbrra", "publics[1].platform"),
        ("domains: [chu-poitiers.fr]", "domains: [CHU poitiers]", "CHU poitiers", "publics[2].domains[0]"),
        (
            "domains: [chu-poitiers.fr]",
            "domains: [ac-poitiers.fr]",
            "domains: [ac-poitiers.fr]",
            "publics[2].domains[0]",
        ),
        (
            '      friday: ["07:30-19:00"]',
            '      friday: ["19:00-07:30"]',
            "19:00-07:30",
            "institutions[2].support_hours.friday[0]",
        ),
        ("    directory: database\n", "    directory: ldapp\n", "directory: ldapp", "institutions[0].directory"),
        (
            "    main_use:\n      fr: Boîtes",
            "    main_usage:\n      fr: Boîtes",
            "main_usage",
            "platforms[0].main_usage",
        ),
    ],
)
def test_a_malformed_file_names_file_line_and_field(tmp_path, old, new, needle, field):
    path = _broken(tmp_path, old, new)
    with pytest.raises(SetupError) as caught:
        load(path)
    assert (caught.value.path, caught.value.line, caught.value.field) == (path, _line_of(path, needle), field)
    assert str(path) in str(caught.value) and f"ligne {caught.value.line}" in str(caught.value)


@pytest.mark.django_db
def test_a_missing_field_points_at_its_entry(tmp_path):
    path = _broken(tmp_path, "    identifier_example: jeanne.martin@chu-poitiers.fr\n", "")
    with pytest.raises(SetupError) as caught:
        load(path)
    assert caught.value.field == "publics[2].identifier_example"
    assert caught.value.line == _line_of(path, "  - slug: chu\n")


@pytest.mark.django_db
def test_invalid_yaml_gives_its_line(tmp_path):
    path = _broken(tmp_path, "    short_name: {fr: CHU, en: Hospital (CHU)}", "    short_name: {fr: CHU, en: [Hospital")
    with pytest.raises(SetupError) as caught:
        load(path)
    assert "YAML invalide" in str(caught.value) and caught.value.line > 0


@pytest.mark.django_db
def test_a_malformed_file_changes_nothing(tmp_path):
    load(SHIPPED)
    before = _snapshot()
    with pytest.raises(SetupError):
        load(_broken(tmp_path, "    platform: exchange\n", "    platform: nowhere\n"))
    assert _snapshot() == before


@pytest.mark.django_db
def test_the_command_reports_the_error_without_a_traceback(tmp_path):
    path = _broken(tmp_path, "    platform: exchange\n", "    platform: nowhere\n")
    with pytest.raises(CommandError, match=r"ligne \d+, champ « publics\[2\]\.platform »"):
        call_command("load_setup", str(path))


@pytest.mark.django_db
def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(SetupError, match="fichier illisible"):
        load(tmp_path / "nowhere.yaml")
