from collections.abc import Sequence

from django.apps import AppConfig
from django.core.checks import CheckMessage, Warning, register
from django.utils.translation import gettext as _


@register("guichet")
def profile_signing(app_configs: Sequence[AppConfig] | None, **kwargs: object) -> list[CheckMessage]:
    """A signing certificate that is set but cannot sign: profiles would go out unsigned.

    No certificate at all is allowed (pages then warn people that the profile is unsigned),
    so it raises nothing here.
    """
    from . import signing

    if not signing.configured():
        return []
    try:
        signing.sign(b"check")
    except signing.SigningUnavailable as exc:
        return [
            Warning(
                # The reason itself is technical (which file, which error) and stays as raised.
                _("Les profils Apple ne peuvent pas être signés : %(reason)s.") % {"reason": exc},
                hint=_(
                    "Vérifiez GUICHET_MOBILECONFIG_CERT_FILE et GUICHET_MOBILECONFIG_KEY_FILE (PEM, clé sans phrase)."
                ),
                id="mailconfig.W001",
            )
        ]
    return []
