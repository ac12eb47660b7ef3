"""Apple configuration profile (.mobileconfig) with one com.apple.mail.managed payload.

Without an address, EmailAddress and the usernames are left out: iOS and macOS then ask for
them while installing. Identifiers and UUIDs are derived from the platform and the address,
so installing a newer profile replaces the older one instead of adding a second account.
"""

import plistlib
import uuid

from ..servers import MailSettings
from . import Context

CONTENT_TYPE = "application/x-apple-aspen-config"
NAMESPACE = uuid.UUID("6f1d3c0e-6a43-4c1e-9a53-6d1f0b5f7a10")


def render(settings: MailSettings, context: Context) -> bytes:
    platform = settings.platform
    incoming = settings.imap or settings.pop3
    smtp = settings.smtp
    if incoming is None or smtp is None:
        raise ValueError(f"{platform.slug}: a profile needs an incoming and an outgoing server")
    identifier = f"guichet.mail.{platform.slug}"
    username = settings.username(context.address)
    mail: dict[str, object] = {
        "PayloadType": "com.apple.mail.managed",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{identifier}.account",
        "PayloadUUID": str(uuid.uuid5(NAMESPACE, f"{identifier}.account:{context.address}")).upper(),
        "PayloadDisplayName": platform.name,
        "EmailAccountDescription": f"{platform.name} ({platform.institution.short_name_fr})",
        "EmailAccountType": "EmailTypeIMAP" if incoming.protocol == "imap" else "EmailTypePOP",
        "IncomingMailServerAuthentication": "EmailAuthPassword",
        "IncomingMailServerHostName": incoming.host,
        "IncomingMailServerPortNumber": incoming.port,
        # Apple's "UseSSL" means TLS, implicit or through STARTTLS: never a clear password.
        "IncomingMailServerUseSSL": True,
        "OutgoingMailServerAuthentication": "EmailAuthPassword",
        "OutgoingMailServerHostName": smtp.host,
        "OutgoingMailServerPortNumber": smtp.port,
        "OutgoingMailServerUseSSL": True,
        "OutgoingPasswordSameAsIncomingPassword": True,
    }
    if context.address:
        mail["EmailAddress"] = context.address
        mail["IncomingMailServerUsername"] = username
        mail["OutgoingMailServerUsername"] = username
    profile = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": identifier,
        "PayloadUUID": str(uuid.uuid5(NAMESPACE, f"{identifier}:{context.address}")).upper(),
        "PayloadDisplayName": f"{platform.name} — {platform.institution.name_fr}",
        "PayloadDescription": "Réglages de messagerie (IMAP, SMTP) / Mail settings (IMAP, SMTP)",
        "PayloadOrganization": context.organisation,
        "PayloadRemovalDisallowed": False,
        "PayloadContent": [mail],
    }
    return plistlib.dumps(profile, fmt=plistlib.FMT_XML, sort_keys=True)
