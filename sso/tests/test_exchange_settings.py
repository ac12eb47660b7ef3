from io import StringIO

import pytest
from django.core.management import call_command

from sso.protocols.wsfed import rules as wsfed

from . import saml_sp

pytestmark = pytest.mark.django_db


def test_the_exchange_line_names_issuer_audience_and_thumbprint(poitiers, settings):
    settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE = saml_sp.keypair("exchange-idp")
    out = StringIO()
    call_command("exchange_settings", "--base-url", "https://guichet.chu-poitiers.fr/", stdout=out)
    line = out.getvalue().strip()
    assert line == (
        'Set-OrganizationConfig -AdfsIssuer "https://guichet.chu-poitiers.fr/wsfed/" '
        '-AdfsAudienceUris "https://webmail.chu-poitiers.fr/owa/" '
        f'-AdfsSignCertificateThumbprint "{wsfed.thumbprint()}"'
    )
    assert len(wsfed.thumbprint()) == 40
