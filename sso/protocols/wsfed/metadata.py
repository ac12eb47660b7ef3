"""Federation metadata (WS-Federation 1.2 §3), served where AD FS serves it:
/FederationMetadata/2007-06/FederationMetadata.xml. A relying party (or an administrator)
reads the passive end point, the signing certificate and the claims offered; the document
is itself signed with that certificate."""

import secrets

from lxml import etree

from . import rules as wsfed

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
FED = "http://docs.oasis-open.org/wsfed/federation/200706"
AUTH = "http://docs.oasis-open.org/wsfed/authorization/200706"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def document(issuer: str, passive_url: str) -> bytes:
    entity_id = f"_{secrets.token_hex(16)}"
    root = etree.Element(
        f"{{{MD}}}EntityDescriptor",
        nsmap={None: MD, "fed": FED, "auth": AUTH, "xsi": XSI, "wsa": wsfed.NS["wsa"], "ds": wsfed.NS["ds"]},
        ID=entity_id,
        entityID=issuer,
    )
    etree.SubElement(root, f"{{{wsfed.NS['ds']}}}Signature", Id="placeholder")
    role = etree.SubElement(
        root,
        f"{{{MD}}}RoleDescriptor",
        {f"{{{XSI}}}type": "fed:SecurityTokenServiceType", "protocolSupportEnumeration": FED},
    )
    key = etree.SubElement(role, f"{{{MD}}}KeyDescriptor", use="signing")
    data = etree.SubElement(etree.SubElement(key, f"{{{wsfed.NS['ds']}}}KeyInfo"), f"{{{wsfed.NS['ds']}}}X509Data")
    etree.SubElement(data, f"{{{wsfed.NS['ds']}}}X509Certificate").text = wsfed.certificate_base64()
    offered = etree.SubElement(role, f"{{{FED}}}TokenTypesOffered")
    for token_type in wsfed.TOKEN_TYPES.values():
        etree.SubElement(offered, f"{{{FED}}}TokenType", Uri=token_type)
    claims = etree.SubElement(role, f"{{{FED}}}ClaimTypesOffered")
    for uri, name in wsfed.CLAIM_TYPES.items():
        claim = etree.SubElement(claims, f"{{{AUTH}}}ClaimType", Uri=uri, Optional="true")
        etree.SubElement(claim, f"{{{AUTH}}}DisplayName").text = name
    for tag in ("SecurityTokenServiceEndpoint", "PassiveRequestorEndpoint"):
        reference = etree.SubElement(
            etree.SubElement(role, f"{{{FED}}}{tag}"), f"{{{wsfed.NS['wsa']}}}EndpointReference"
        )
        etree.SubElement(reference, f"{{{wsfed.NS['wsa']}}}Address").text = passive_url
    signed = wsfed.sign(root, entity_id, "ID")
    body: bytes = etree.tostring(signed, xml_declaration=True, encoding="utf-8")
    return body
