"""WS-Federation passive requestor profile, as AD FS answers it for Exchange (claims-based
authentication of Outlook on the web and the Exchange admin center).

`wa=wsignin1.0` with a registered `wtrealm` gets a WS-Trust RequestSecurityTokenResponse
holding a signed SAML 1.1 assertion (or SAML 2.0, `token: saml2` in the registry), posted
by the browser to the realm's registered `wreply`. The claims are those Exchange maps: UPN
and primary SID, read from the person's directory entry. Signatures: XML-DSig enveloped,
RSA-SHA256, exclusive c14n (signxml), with the SAML IdP's key, so one certificate
thumbprint serves both protocols.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from django.utils import timezone
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.algorithms import SignatureConstructionMethod as methods
from signxml.signer import XMLSigner

from accounts.models import Account
from institutions.models import Client

from ... import directory
from ..saml.idp import keypair

TOKEN_LIFETIME = timedelta(minutes=60)  # as AD FS's default token lifetime for a relying party
SKEW = timedelta(minutes=5)

NS = {
    "t": "http://schemas.xmlsoap.org/ws/2005/02/trust",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
    "wsp": "http://schemas.xmlsoap.org/ws/2004/09/policy",
    "wsa": "http://www.w3.org/2005/08/addressing",
    "saml1": "urn:oasis:names:tc:SAML:1.0:assertion",
    "saml2": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}
CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims"
MS_CLAIMS = "http://schemas.microsoft.com/ws/2008/06/identity/claims"
# The claims Exchange's claims-based authentication reads (its AD FS claim rules).
UPN = f"{CLAIMS}/upn"
PRIMARY_SID = f"{MS_CLAIMS}/primarysid"
# What AD FS issues to Microsoft 365 for a federated domain (its "ImmutableID" claim).
IMMUTABLE_ID = "http://schemas.microsoft.com/LiveID/Federation/2008/05/ImmutableID"
CLAIM_TYPES = {
    UPN: "UPN",
    PRIMARY_SID: "Primary SID",
    IMMUTABLE_ID: "ImmutableID",
    f"{CLAIMS}/emailaddress": "E-Mail Address",
    f"{CLAIMS}/name": "Name",
}
TOKEN_TYPES = {
    "saml11": "urn:oasis:names:tc:SAML:1.0:assertion",
    "saml2": "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
}
BEARER_1 = "urn:oasis:names:tc:SAML:1.0:cm:bearer"
AM_PASSWORD_1 = "urn:oasis:names:tc:SAML:1.0:am:password"  # noqa: S105 - a SAML method name
AC_PASSWORD_2 = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"  # noqa: S105 - a SAML class name


def client_for_realm(realm: str) -> Client | None:
    """The registered WS-Federation relying party whose `realm` is exactly this one."""
    if not realm:
        return None
    return next((c for c in Client.objects.filter(protocol="wsfed") if c.config.get("realm") == realm), None)


def reply_url(client: Client, wreply: str) -> str | None:
    """Where the token may be posted: exactly one of the registered reply URLs (the first by
    default). Never anything else: a token posted elsewhere opens the mailbox to its reader."""
    registered = list(client.config.get("reply_urls", []))
    if not wreply:
        return registered[0] if registered else None
    return wreply if wreply in registered else None


@dataclass
class Claims:
    upn: str
    primary_sid: str = ""
    email: str = ""
    name: str = ""
    immutable_id: str = ""

    def items(self) -> list[tuple[str, str]]:
        pairs = [(UPN, self.upn), (PRIMARY_SID, self.primary_sid), (IMMUTABLE_ID, self.immutable_id)]
        pairs += [(f"{CLAIMS}/emailaddress", self.email), (f"{CLAIMS}/name", self.name)]
        return [(claim, value) for claim, value in pairs if value]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _el(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", **attributes)
    if text is not None:
        node.text = text
    return node


def _assertion_11(
    issuer: str, realm: str, claims: Claims, login_at: datetime, now: datetime, recipient: str
) -> etree._Element:
    assertion_id = f"_{secrets.token_hex(16)}"
    root = etree.Element(
        f"{{{NS['saml1']}}}Assertion",
        nsmap={"saml": NS["saml1"]},
        MajorVersion="1",
        MinorVersion="1",
        AssertionID=assertion_id,
        Issuer=issuer,
        IssueInstant=_iso(now),
    )
    conditions = _el(root, "saml1:Conditions", NotBefore=_iso(now - SKEW), NotOnOrAfter=_iso(now + TOKEN_LIFETIME))
    _el(_el(conditions, "saml1:AudienceRestrictionCondition"), "saml1:Audience", realm)
    statement = _el(root, "saml1:AttributeStatement")
    subject = _el(statement, "saml1:Subject")
    _el(subject, "saml1:NameIdentifier", claims.upn)
    _el(_el(subject, "saml1:SubjectConfirmation"), "saml1:ConfirmationMethod", BEARER_1)
    for claim, value in claims.items():
        namespace, _slash, name = claim.rpartition("/")
        attribute = _el(statement, "saml1:Attribute", AttributeName=name, AttributeNamespace=namespace)
        _el(attribute, "saml1:AttributeValue", value)
    authn = _el(
        root, "saml1:AuthenticationStatement", AuthenticationMethod=AM_PASSWORD_1, AuthenticationInstant=_iso(login_at)
    )
    subject = _el(authn, "saml1:Subject")
    _el(subject, "saml1:NameIdentifier", claims.upn)
    _el(_el(subject, "saml1:SubjectConfirmation"), "saml1:ConfirmationMethod", BEARER_1)
    return sign(root, assertion_id, "AssertionID")


def _assertion_2(
    issuer: str, realm: str, claims: Claims, login_at: datetime, now: datetime, recipient: str
) -> etree._Element:
    assertion_id = f"_{secrets.token_hex(16)}"
    root = etree.Element(
        f"{{{NS['saml2']}}}Assertion",
        nsmap={"saml": NS["saml2"], "ds": NS["ds"]},
        ID=assertion_id,
        Version="2.0",
        IssueInstant=_iso(now),
    )
    _el(root, "saml2:Issuer", issuer)
    # signxml puts the signature here, after Issuer, where the SAML 2.0 schema wants it.
    etree.SubElement(root, f"{{{NS['ds']}}}Signature", Id="placeholder")
    subject = _el(root, "saml2:Subject")
    _el(subject, "saml2:NameID", claims.upn, Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified")
    confirmation = _el(subject, "saml2:SubjectConfirmation", Method="urn:oasis:names:tc:SAML:2.0:cm:bearer")
    data = {"NotOnOrAfter": _iso(now + TOKEN_LIFETIME)} | ({"Recipient": recipient} if recipient else {})
    _el(confirmation, "saml2:SubjectConfirmationData", **data)
    conditions = _el(root, "saml2:Conditions", NotBefore=_iso(now - SKEW), NotOnOrAfter=_iso(now + TOKEN_LIFETIME))
    _el(_el(conditions, "saml2:AudienceRestriction"), "saml2:Audience", realm)
    statement = _el(root, "saml2:AttributeStatement")
    for claim, value in claims.items():
        _el(_el(statement, "saml2:Attribute", Name=claim), "saml2:AttributeValue", value)
    authn = _el(root, "saml2:AuthnStatement", AuthnInstant=_iso(login_at))
    _el(_el(authn, "saml2:AuthnContext"), "saml2:AuthnContextClassRef", AC_PASSWORD_2)
    return sign(root, assertion_id, "ID")


def _key_and_cert() -> tuple[bytes, bytes]:
    key, cert = keypair()
    return Path(key).read_bytes(), Path(cert).read_bytes()


def sign(root: etree._Element, element_id: str, id_attribute: str) -> etree._Element:
    key, cert = _key_and_cert()
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signer.namespaces = {"ds": NS["ds"]}
    signed: etree._Element = signer.sign(
        root, key=key, cert=cert.decode(), reference_uri=f"#{element_id}", id_attribute=id_attribute
    )
    return signed


def response(
    issuer: str,
    realm: str,
    claims: Claims,
    login_at: datetime,
    *,
    assertion_format: str = "saml11",
    recipient: str = "",
    now: datetime | None = None,
) -> str:
    """The `wresult`: a RequestSecurityTokenResponse carrying the signed assertion."""
    now = now or timezone.now()
    build = _assertion_2 if assertion_format == "saml2" else _assertion_11
    rstr = etree.Element(
        f"{{{NS['t']}}}RequestSecurityTokenResponse", nsmap={p: NS[p] for p in ("t", "wsu", "wsp", "wsa")}
    )
    lifetime = _el(rstr, "t:Lifetime")
    _el(lifetime, "wsu:Created", _iso(now))
    _el(lifetime, "wsu:Expires", _iso(now + TOKEN_LIFETIME))
    _el(_el(_el(rstr, "wsp:AppliesTo"), "wsa:EndpointReference"), "wsa:Address", realm)
    _el(rstr, "t:RequestedSecurityToken").append(build(issuer, realm, claims, login_at, now, recipient))
    _el(rstr, "t:TokenType", TOKEN_TYPES.get(assertion_format, TOKEN_TYPES["saml11"]))
    _el(rstr, "t:RequestType", "http://schemas.xmlsoap.org/ws/2005/02/trust/Issue")
    _el(rstr, "t:KeyType", "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey")
    text: str = etree.tostring(rstr, encoding="unicode")
    return text


def thumbprint() -> str:
    """SHA-1 of the signing certificate, as Exchange's -AdfsSignCertificateThumbprint wants it."""
    cert = x509.load_pem_x509_certificate(_key_and_cert()[1])
    return cert.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303 - an identifier, not a signature


def certificate_base64() -> str:
    cert = x509.load_pem_x509_certificate(_key_and_cert()[1])
    return "".join(cert.public_bytes(serialization.Encoding.PEM).decode().strip().splitlines()[1:-1])


def claims_for(account: Account) -> Claims:
    """UPN, primary SID and immutable ID from the person's directory entry (userPrincipalName,
    objectSid, objectGUID in Active Directory); the UPN falls back on the identifier, the
    immutable ID on the one sso keeps for a database account (sso.directory), and the primary
    SID is released only when the directory has one. Raises DirectoryUnavailable."""
    entry = directory.entry(account)
    return Claims(
        upn=(entry.upn if entry and entry.upn else account.identifier),
        primary_sid=entry.sid if entry else "",
        immutable_id=directory.attribute(account, "immutable_id", entry),
        email=account.identifier if "@" in account.identifier else "",
        name=account.display_name,
    )
