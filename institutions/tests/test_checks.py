import pytest
from django.core.checks import run_checks

from institutions.models import Platform


def _w001():
    return [m for m in run_checks(tags=["guichet"]) if m.id == "guichet.W001"]


@pytest.mark.django_db
def test_it_warns_for_each_unconfirmed_webmail_address(poitiers):
    assert sorted(m.obj.slug for m in _w001()) == ["convergence", "exchange", "zimbra"]


@pytest.mark.django_db
def test_it_stops_warning_once_an_administrator_confirms(poitiers):
    for p in Platform.objects.all():
        p.confirmed_url = p.webmail_url
        p.save()
    assert _w001() == []


@pytest.mark.django_db
def test_the_admin_action_confirms_the_address(poitiers, admin_client):
    zimbra = Platform.objects.get(slug="zimbra")
    response = admin_client.post(
        "/admin/institutions/platform/",
        {"action": "confirm_url", "_selected_action": [zimbra.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Platform.objects.get(slug="zimbra").url_confirmed
    assert sorted(m.obj.slug for m in _w001()) == ["convergence", "exchange"]
