# ruff: noqa: E501 - client messages stay whole, as people paste them
"""The error decoder on messages as mail programs show them (French and English)."""

import pytest

from mailconfig import decoder

MESSAGES = [
    # Thunderbird
    ("Login to server imap.univ-poitiers.fr with username jeanne.martin@univ-poitiers.fr failed.", "wrong-password"),
    (
        "La connexion au serveur imap.univ-poitiers.fr avec le nom d'utilisateur jeanne.martin a échoué.",
        "wrong-password",
    ),
    ("Thunderbird failed to find the settings for your email account.", "autoconfig-not-found"),
    ("Thunderbird n'a pas pu trouver les paramètres de votre compte de messagerie.", "autoconfig-not-found"),
    (
        "Sending of the message failed. The message could not be sent because the connection to Outgoing server "
        "(SMTP) smtp.univ-poitiers.fr timed out. Try again.",
        "timeout",
    ),
    (
        "Server imap.univ-poitiers.fr has disconnected. The server may have gone down or there may be a network problem.",
        "too-many-connections",
    ),
    ("Failed to connect to server imap.univ-poitiers.fr.", "cannot-connect"),
    ("The outgoing server (SMTP) smtp.univ-poitiers.fr does not seem to support encrypted passwords.", "auth-method"),
    (
        "The IMAP server imap.ac-poitiers.fr does not support the selected authentication method. Please change the "
        "'Authentication method' in the 'Account Settings | Server settings'.",
        "auth-method",
    ),
    (
        "Unable to authenticate to Outgoing server (SMTP) smtp.univ-poitiers.fr. Please check the password and verify "
        "the 'Authentication method' in 'Account Settings | Outgoing server (SMTP)'.",
        "wrong-password",
    ),
    ("An error occurred while sending mail. The mail server responded: 5.7.1 Relay access denied.", "relay-denied"),
    (
        "Thunderbird does not trust this site because it uses a certificate that is not valid for imap.univ-poitiers.fr.",
        "certificate-name",
    ),
    # Outlook (classic and new)
    (
        "Log onto incoming mail server (IMAP): Your IMAP server wants to alert you to the following: AUTHENTICATE failed.",
        "wrong-password",
    ),
    (
        "The server you are connected to is using a security certificate that cannot be verified. The target principal name is incorrect.",
        "certificate-name",
    ),
    (
        "Le serveur auquel vous êtes connecté utilise un certificat de sécurité qui ne peut pas être vérifié. Le nom principal cible est incorrect.",
        "certificate-name",
    ),
    (
        "The server does not support the specified connection encryption type. Try changing the encryption method.",
        "encryption-mismatch",
    ),
    (
        "Le serveur ne prend pas en charge le type de chiffrement de connexion spécifié. Essayez de modifier la méthode de chiffrement.",
        "encryption-mismatch",
    ),
    (
        "Receiving reported error (0x800CCC0E): 'Outlook cannot connect to your incoming (IMAP) e-mail server.'",
        "cannot-connect",
    ),
    (
        "Sending reported error (0x80042109): 'Outlook cannot connect to your outgoing (SMTP) e-mail server.'",
        "cannot-connect",
    ),
    ("Receiving reported error (0x800CCC92): 'Your e-mail server rejected your login.'", "wrong-password"),
    (
        "Task 'imap.univ-poitiers.fr - Receiving' reported error (0x8004210B): 'The operation timed out waiting for a response from the receiving (POP) server.'",
        "timeout",
    ),
    (
        "Cannot send the message. Verify the e-mail address in your account properties. The SMTP server responded: 530 5.7.0 Authentication required (0x800CCC78)",
        "relay-denied",
    ),
    # Apple Mail (iOS, macOS)
    ('Cannot Get Mail: The user name or password for "imap.univ-poitiers.fr" is incorrect.', "wrong-password"),
    (
        "Impossible de relever le courrier : Le nom d'utilisateur ou le mot de passe pour « imap.univ-poitiers.fr » est incorrect.",
        "wrong-password",
    ),
    (
        'Cannot Verify Server Identity. The identity of "imap.univ-poitiers.fr" cannot be verified by Mail.',
        "certificate-name",
    ),
    ("Impossible de vérifier l'identité du serveur", "certificate-name"),
    ('Cannot Send Mail. The connection to the outgoing server "smtp.univ-poitiers.fr" failed.', "cannot-connect"),
    (
        "Impossible d'envoyer le courrier : La connexion au serveur d'envoi « smtp.univ-poitiers.fr » a échoué.",
        "cannot-connect",
    ),
    ('Cannot Get Mail. The mail server "imap.univ-poitiers.fr" is not responding.', "cannot-connect"),
    ("This certificate has expired", "certificate-expired"),
    ("Ce certificat a expiré", "certificate-expired"),
    ("Profile Installation Failed", "profile-unsigned"),
    # Android: Gmail, Thunderbird for Android (K-9)
    ("Username or authentication method is incorrect.", "auth-method"),
    ("Couldn't open connection to server.", "cannot-connect"),
    ("Impossible d'établir la connexion avec le serveur.", "cannot-connect"),
    (
        "Certificate error for Université: java.security.cert.CertPathValidatorException: Trust anchor for certification path not found.",
        "certificate-untrusted",
    ),
    ("javax.net.ssl.SSLHandshakeException: Chain validation failed", "certificate-expired"),
    (
        "Setup could not finish. Username or password incorrect. (AUTHENTICATIONFAILED Authentication failed.)",
        "wrong-password",
    ),
    # Server answers that clients quote
    ("535 5.7.8 Error: authentication failed: authentication failure", "wrong-password"),
    ("530 5.7.0 Must issue a STARTTLS command first", "encryption-mismatch"),
    ("[OVERQUOTA] Quota exceeded (mailbox for user is full)", "quota"),
    ("[UNAVAILABLE] Maximum number of connections from user+IP exceeded", "too-many-connections"),
    ("SSL routines::wrong version number", "encryption-mismatch"),
]


def test_the_table_holds_at_least_25_real_messages_in_both_languages():
    assert len(MESSAGES) >= 25


@pytest.mark.parametrize(("message", "slug"), MESSAGES, ids=[m[:50] for m, _ in MESSAGES])
def test_each_message_gets_its_likely_cause(message, slug):
    entry = decoder.decode(message)
    assert entry is not None, message
    assert entry.slug == slug


@pytest.mark.parametrize("message", ["", "   ", "bonjour", "x" * 100_000])
def test_unknown_or_empty_messages_get_no_guess(message):
    assert decoder.decode(message) is None


def test_every_entry_has_a_cause_and_a_fix_in_both_languages():
    for entry in decoder.catalogue():
        assert entry.cause["fr"] and entry.cause["en"] and entry.fix["fr"] and entry.fix["en"], entry.slug


@pytest.mark.django_db
def test_the_page_explains_a_pasted_message_in_the_persons_language(client, poitiers):
    message = "Cannot Get Mail: The user name or password for \u201cimap.univ-poitiers.fr\u201d is incorrect."
    fr = client.post("/messagerie/clients/zimbra/erreur/", {"message": message}).content.decode()
    assert "Le serveur refuse l&#x27;identifiant ou le mot de passe." in fr
    en = client.post("/en/messagerie/clients/zimbra/erreur/", {"message": message}).content.decode()
    assert "The server refuses the username or the password." in en
