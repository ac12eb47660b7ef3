"""Passkeys as a second factor: adding one, signing in with one, and the refusals.

A small software authenticator (an EC P-256 key, « none » attestation) answers the
ceremonies, so py_webauthn checks real signatures without a browser.
"""

import hashlib
import json
import os
from base64 import urlsafe_b64encode
from datetime import timedelta

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential

from accounts.actions.factors import REAUTH_AT
from accounts.actions.signin import DEVICE_COOKIE
from accounts.models import TOTPDevice, UserSession
from audit.models import Event
from testing import throttles
from testing.personas import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.django_db
STUDENT = "etudiant@etu.univ-poitiers.fr"
ORIGIN = "http://testserver"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36"

ENROL_BEGIN, ENROL_COMPLETE = "/webauthn/enrolment/begin/", "/webauthn/enrolment/complete/"
SIGNIN_BEGIN, SIGNIN_COMPLETE = "/webauthn/signin/begin/", "/webauthn/signin/complete/"


def b64(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftAuthenticator:
    """One passkey, held in Python: what a phone or a security key does, minus the hardware."""

    def __init__(self, rp_id: str = "testserver", origin: str = ORIGIN):
        self.rp_id, self.origin = rp_id, origin
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0

    def cose_public_key(self) -> bytes:
        numbers = self.private.public_key().public_numbers()
        x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: x, -3: y})  # EC2, ES256, P-256

    def _authenticator_data(self, flags: int, attested: bytes = b"") -> bytes:
        rp_hash = hashlib.sha256(self.rp_id.encode()).digest()
        return rp_hash + bytes([flags]) + self.sign_count.to_bytes(4, "big") + attested

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": self.origin}).encode()

    def create(self, options: dict) -> dict:
        """The registration response to the server's creation options."""
        client_data = self._client_data("webauthn.create", options["challenge"])
        attested = bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id + self.cose_public_key()
        data = self._authenticator_data(0x45, attested)  # user present + verified, credential attached
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": data})
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {"clientDataJSON": b64(client_data), "attestationObject": b64(attestation)},
            "clientExtensionResults": {"credProps": {"rk": True}},
        }

    def get(self, options: dict) -> dict:
        """The assertion answering the server's request options."""
        self.sign_count += 1
        client_data = self._client_data("webauthn.get", options["challenge"])
        data = self._authenticator_data(0x05)  # user present + verified
        signature = self.private.sign(data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(data),
                "signature": b64(signature),
                "userHandle": None,
            },
            "clientExtensionResults": {},
        }

    def enrolled_for(self, account) -> WebAuthnCredential:
        """The passkey as if it had been added earlier (a row, no ceremony)."""
        credential = WebAuthnCredential(
            user=account,
            name="Firefox / Android",
            confirmed=True,
            credential_id=self.credential_id,
            public_key=self.cose_public_key(),
            aaguid="00000000-0000-0000-0000-000000000000",
        )
        credential.save()
        return credential


@pytest.fixture(autouse=True)
def _passkeys_on_the_test_client(settings):
    settings.OTP_WEBAUTHN_RP_ID = "testserver"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [ORIGIN]


def post_json(client, url, body=None, language="fr"):
    # Like passkey.js: JSON, and the page's language (the API's URLs carry no prefix).
    return client.post(
        url,
        json.dumps(body or {}),
        content_type="application/json",
        HTTP_USER_AGENT=AGENT,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _reauth(client):
    assert client.post("/compte/confirmer/?next=/compte/securite/", {"password": PASSWORD}).status_code == 302


def _enrol(client, authenticator) -> WebAuthnCredential:
    begun = post_json(client, ENROL_BEGIN)
    assert begun.status_code == 200, begun.content
    done = post_json(client, ENROL_COMPLETE, authenticator.create(begun.json()))
    assert done.status_code == 200, done.content
    assert done.json()["redirect_url"] == "/compte/securite/"
    return WebAuthnCredential.objects.get(pk=done.json()["id"])


def _passkey_sign_in(client, authenticator):
    assert sign_in(client, STUDENT)["Location"] == "/login/verification/"
    begun = post_json(client, SIGNIN_BEGIN)
    assert begun.status_code == 200, begun.content
    return begun.json(), post_json(client, SIGNIN_COMPLETE, authenticator.get(begun.json()))


def test_adding_a_passkey_needs_a_fresh_password(client, student):
    sign_in(client, STUDENT)
    page = client.get("/compte/securite/").content.decode()
    assert 'href="/compte/confirmer/?next=/compte/securite/"' in page
    assert 'data-passkey="enrol"' not in page
    refused = post_json(client, ENROL_BEGIN)
    assert refused.status_code == 403 and refused.json()["code"] == "password_not_fresh"

    _reauth(client)
    assert 'data-passkey="enrol"' in client.get("/compte/securite/").content.decode()
    passkey = _enrol(client, SoftAuthenticator())

    assert passkey.user == student and passkey.confirmed and passkey.name == "Chrome / Linux"
    added = Event.objects.get(code="accounts.factor.added")
    assert added.subject == student and added.data == {"factor": "passkey"}
    page = client.get("/compte/securite/").content.decode()
    assert "Clé d&#x27;accès ajoutée." in page
    assert "Clé d'accès (Chrome / Linux)" in page


def test_a_password_confirmed_too_long_ago_stops_the_enrolment_half_way(client, student):
    sign_in(client, STUDENT)
    _reauth(client)
    begun = post_json(client, ENROL_BEGIN).json()
    session = client.session
    session[REAUTH_AT] = (timezone.now() - timedelta(minutes=11)).timestamp()
    session.save()
    refused = post_json(client, ENROL_COMPLETE, SoftAuthenticator().create(begun))
    assert refused.status_code == 403 and refused.json()["code"] == "password_not_fresh"
    assert not WebAuthnCredential.objects.exists()
    assert not Event.objects.filter(code="accounts.factor.added").exists()


def test_nobody_adds_a_passkey_without_signing_in(client, student):
    assert post_json(client, ENROL_BEGIN).status_code == 403
    assert not WebAuthnCredential.objects.exists()


def test_sign_in_with_a_passkey(client, student):
    authenticator = SoftAuthenticator()
    passkey = authenticator.enrolled_for(student)

    assert sign_in(client, STUDENT)["Location"] == "/login/verification/"
    page = client.get("/login/verification/").content.decode()
    assert "Utiliser ma clé d'accès" in page and "/static/guichet/passkey.js" in page
    assert 'name="code"' in page  # the codes stay on offer, JavaScript or not
    assert "_auth_user_id" not in client.session

    begun = post_json(client, SIGNIN_BEGIN).json()
    assert [c["id"] for c in begun["allowCredentials"]] == [b64(authenticator.credential_id)]
    done = post_json(client, SIGNIN_COMPLETE, authenticator.get(begun))

    assert done.status_code == 200, done.content
    assert done.json()["redirect_url"] == "/services/"
    assert done.cookies[DEVICE_COOKIE].value  # a new browser, remembered like after a code
    assert client.session["_auth_user_id"] == str(student.pk)
    assert client.session["otp_device_id"] == passkey.persistent_id
    assert UserSession.objects.filter(account=student).count() == 1
    success = Event.objects.get(code="accounts.signin.success")
    assert success.data == {"factor": "WebAuthnCredential"}
    assert client.get("/services/").status_code == 200
    passkey.refresh_from_db()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None


def test_another_accounts_passkey_is_refused(client, student, teacher):
    SoftAuthenticator().enrolled_for(student)
    intruder = SoftAuthenticator()
    intruder.enrolled_for(teacher)

    _options, refused = _passkey_sign_in(client, intruder)

    assert refused.status_code == 403 and refused.json()["code"] == "credential_user_mismatch"
    assert "_auth_user_id" not in client.session
    failure = Event.objects.get(code="accounts.signin.second_factor_failure")
    assert failure.subject == student and failure.data == {"factor": "passkey", "failures": 1}
    (account_state,) = throttles.states("account")
    assert account_state.failures == 1
    assert not Event.objects.filter(code="accounts.signin.success").exists()


def test_an_unknown_passkey_or_a_forged_signature_is_refused(client, student):
    authenticator = SoftAuthenticator()
    authenticator.enrolled_for(student)
    _options, unknown = _passkey_sign_in(client, SoftAuthenticator())
    assert unknown.status_code == 404 and "_auth_user_id" not in client.session

    begun = post_json(client, SIGNIN_BEGIN).json()
    forged = authenticator.get(begun)
    forged["response"]["signature"] = b64(SoftAuthenticator().private.sign(b"x", ec.ECDSA(hashes.SHA256())))
    refused = post_json(client, SIGNIN_COMPLETE, forged)
    assert refused.status_code == 422 and "_auth_user_id" not in client.session
    assert Event.objects.filter(code="accounts.signin.second_factor_failure").count() == 2


def test_nobody_starts_a_passkey_sign_in_without_the_password(client, student):
    SoftAuthenticator().enrolled_for(student)
    refused = post_json(client, SIGNIN_BEGIN)
    assert refused.status_code == 403 and refused.json()["code"] == "signin_expired"


def test_an_assertion_cannot_be_replayed(client, student):
    authenticator = SoftAuthenticator()
    authenticator.enrolled_for(student)
    options, done = _passkey_sign_in(client, authenticator)
    assert done.status_code == 200
    answer = authenticator.get(options)  # signed for a challenge already used
    client.post("/logout/")

    sign_in(client, STUDENT)
    replayed = post_json(client, SIGNIN_COMPLETE, answer)  # no ceremony begun for this sign-in
    assert replayed.status_code == 400 and replayed.json()["code"] == "invalid_state"
    assert post_json(client, SIGNIN_BEGIN).status_code == 200
    replayed = post_json(client, SIGNIN_COMPLETE, answer)  # a ceremony, but another challenge
    assert replayed.status_code == 422
    assert "_auth_user_id" not in client.session


def test_a_paused_account_cannot_use_its_passkey(client, student):
    authenticator = SoftAuthenticator()
    authenticator.enrolled_for(student)
    sign_in(client, STUDENT)
    begun = post_json(client, SIGNIN_BEGIN).json()
    for i in range(5):  # wrong codes pause the account, passkeys included
        client.post("/login/verification/", {"code": f"00000{i}"})
    refused = post_json(client, SIGNIN_COMPLETE, authenticator.get(begun))
    assert refused.status_code == 429 and refused.json()["code"] == "paused"
    assert "_auth_user_id" not in client.session


def test_passwordless_sign_in_is_not_exposed(client, student):
    with pytest.raises(NoReverseMatch):
        reverse("otp_webauthn:credential-authentication-complete")
    assert client.post("/webauthn/authentication/complete/").status_code == 404


def test_the_verification_page_offers_no_passkey_to_an_account_without_one(client, student):
    TOTPDevice.objects.create(user=student, name="TOTP", confirmed=True)
    sign_in(client, STUDENT)
    page = client.get("/login/verification/").content.decode()
    assert "data-passkey" not in page and "passkey.js" not in page
    assert post_json(client, SIGNIN_BEGIN).status_code == 404


def test_a_passkey_is_listed_and_removed_like_any_factor(client, student):
    authenticator = SoftAuthenticator()
    passkey = authenticator.enrolled_for(student)
    _options, done = _passkey_sign_in(client, authenticator)
    assert done.status_code == 200
    _reauth(client)
    page = client.get("/compte/securite/").content.decode()
    assert "Clé d'accès (Firefox / Android)" in page
    assert "Retirer la clé d'accès (Firefox / Android)" in page
    assert f'value="{passkey.persistent_id}"' in page

    assert (
        client.post("/compte/securite/retirer/", {"device": passkey.persistent_id})["Location"] == "/compte/securite/"
    )
    assert not WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert Event.objects.filter(code="accounts.factor.removed", subject=student).exists()


def test_the_passkey_texts_follow_the_page_language(client, student):
    authenticator = SoftAuthenticator()
    sign_in(client, STUDENT)
    _reauth(client)
    page = client.get("/en/compte/securite/").content.decode()
    assert "Add a passkey" in page and 'data-busy="Follow the instructions on your device…"' in page
    begun = post_json(client, ENROL_BEGIN, language="en").json()
    assert post_json(client, ENROL_COMPLETE, authenticator.create(begun), language="en").status_code == 200
    page = client.get("/en/compte/securite/").content.decode()
    assert "Passkey added. You will be asked for it the next time you sign in." in page
    assert "Passkey (Chrome / Linux)" in page and "Remove the passkey (Chrome / Linux)" in page

    client.post("/logout/")
    client.post("/en/login/", {"identifier": STUDENT, "password": PASSWORD})
    page = client.get("/en/login/verification/").content.decode()
    assert "With your passkey" in page and "Use my passkey" in page and "Or with a code" in page
    assert "Your passkey needs JavaScript" in page


def test_passkeys_are_only_offered_on_their_own_origin(client, student, settings):
    # Browsers bind a passkey to its RP ID: on another address (http://127.0.0.1:8000 for a
    # site set up for localhost) the button could only fail, so the page keeps to codes.
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = ["https://guichet.example.fr"]
    SoftAuthenticator().enrolled_for(student)
    sign_in(client, STUDENT)
    assert "data-passkey" not in client.get("/login/verification/").content.decode()
    assert 'name="code"' in client.get("/login/verification/").content.decode()


def test_the_api_errors_speak_the_page_language(client, student):
    SoftAuthenticator().enrolled_for(student)
    french = post_json(client, SIGNIN_BEGIN).json()
    assert french == {
        "code": "signin_expired",
        "detail": "Aucune connexion n'attend de second facteur. Recommencez la connexion.",
    }
    english = post_json(client, SIGNIN_BEGIN, language="en").json()
    assert english == {
        "code": "signin_expired",
        "detail": "No sign-in is waiting for a second factor. Start signing in again.",
    }

    sign_in(client, STUDENT)
    stale = post_json(client, SIGNIN_COMPLETE, {"id": "x"}, language="en").json()  # no ceremony begun
    assert stale == {"code": "invalid_state", "detail": "This operation expired or was never started. Start again."}
    # The package's own English never reaches the page, nor in French.
    stale = post_json(client, SIGNIN_COMPLETE, {"id": "x"}).json()
    assert stale["detail"] == "Cette opération a expiré ou n'a pas commencé. Recommencez."
