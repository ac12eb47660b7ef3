"""Whose portal this is, from the set-up file: checked names, logos, hosts and colours."""

from pathlib import Path

import pytest
from django.conf import settings

from institutions import identity, models
from institutions.loader import SetupError, load

SHIPPED = settings.GUICHET_SETUP_FILE
pytestmark = pytest.mark.django_db


def _setup(tmp_path: Path, old: str, new: str, logo: str | None = None) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "setup.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if logo is not None:
        (tmp_path / "logo.svg").write_text(logo, encoding="utf-8")
    return path


def test_the_shipped_set_up_names_the_portal_with_a_neutral_mark():
    load(SHIPPED)
    portal = models.Portal.objects.get()
    assert portal.name_fr == "Guichet messagerie" and portal.name_en == "Guichet mail desk"
    assert portal.logo_svg.startswith("<svg") and "Guichet" in portal.logo_svg
    # Only the Académie declares itself a State service (the « République française » block).
    assert list(models.Institution.objects.filter(state_service=True).values_list("slug", flat=True)) == ["ac-poitiers"]


def test_a_colour_that_text_cannot_be_read_on_is_refused(tmp_path):
    path = _setup(tmp_path, 'colour: "#00358e"', 'colour: "#9bbcff"')
    with pytest.raises(SetupError, match=r"portal\.colour.*contraste 1\.9:1"):
        load(path)
    dark = _setup(tmp_path, 'colour_on_dark: "#9bbcff"', 'colour_on_dark: "#00358e"')
    with pytest.raises(SetupError, match=r"colour_on_dark.*contraste"):
        load(dark)


@pytest.mark.parametrize(
    ("svg", "reason"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "script"),
        ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "onload"),
        ('<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>', "image"),
        ('<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil.example/#a)"/></svg>', "fill"),
        ('<!DOCTYPE svg [<!ENTITY x "boom">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', "SVG"),
        ("<html><body>not a drawing</body></html>", "SVG"),
    ],
)
def test_a_logo_that_could_run_or_fetch_something_is_refused(tmp_path, svg, reason):
    path = _setup(tmp_path, "logo: logos/guichet-neutre.svg", "logo: logo.svg", logo=svg)
    with pytest.raises(SetupError, match=f"portal.logo.*{reason}"):
        load(path)


def test_a_logo_outside_the_set_up_folder_is_refused(tmp_path):
    path = _setup(tmp_path, "logo: logos/guichet-neutre.svg", "logo: ../../etc/passwd")
    with pytest.raises(SetupError, match="à côté du fichier"):
        load(path)


def test_a_gradient_inside_the_drawing_is_fine():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><defs><linearGradient id="g"/></defs><rect fill="url(#g)"/></svg>'
    assert identity._svg_problem(svg) is None


def test_an_official_host_is_a_bare_lower_case_name(tmp_path):
    path = _setup(
        tmp_path, "  logo: logos/guichet-neutre.svg\n", "  logo: logos/guichet-neutre.svg\n  host: https://x.fr/\n"
    )
    with pytest.raises(SetupError, match=r"portal\.host"):
        load(path)
    ok = _setup(
        tmp_path,
        "  logo: logos/guichet-neutre.svg\n",
        "  logo: logos/guichet-neutre.svg\n  host: guichet.univ-poitiers.fr\n",
    )
    load(ok)
    assert models.Portal.objects.get().host == "guichet.univ-poitiers.fr"


def test_reloading_the_same_file_changes_nothing():
    load(SHIPPED)
    before = models.Revision.current()
    load(SHIPPED)
    assert models.Revision.current() == before
