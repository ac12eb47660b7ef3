"""The DNS records an institution publishes so that mail programs find their settings alone.

Pure: from a platform's settings and Guichet's host name to zone-file lines, per domain.
- autoconfig.<domain> → Guichet (Thunderbird asks https://autoconfig.<domain>/mail/config-v1.1.xml);
- autodiscover.<domain> and _autodiscover._tcp → Guichet, unless the platform's own Exchange
  answers Autodiscover (then nothing: publishing it would hijack Outlook);
- RFC 6186 SRV records for IMAP, POP and submission, with RFC 8314's implicit-TLS names, and
  "." (service not offered) for what the platform does not offer, so clients stop looking.
"""

from .servers import MailSettings

# (service, protocol, security) for each RFC 6186 / RFC 8314 SRV name.
SRV = (
    ("_imaps._tcp", "imap", "tls"),
    ("_imap._tcp", "imap", "starttls"),
    ("_pop3s._tcp", "pop3", "tls"),
    ("_pop3._tcp", "pop3", "starttls"),
    ("_submissions._tcp", "smtp", "tls"),
    ("_submission._tcp", "smtp", "starttls"),
)
TTL = 3600


def records(mail: MailSettings, domain: str, guichet_host: str) -> list[str]:
    target = guichet_host.rstrip(".") + "."
    lines = [f"autoconfig.{domain}.\t{TTL}\tIN\tCNAME\t{target}"]
    if mail.autodiscover:
        lines.append(f"autodiscover.{domain}.\t{TTL}\tIN\tCNAME\t{target}")
        lines.append(f"_autodiscover._tcp.{domain}.\t{TTL}\tIN\tSRV\t0 0 443 {target}")
    for name, protocol, security in SRV:
        offered = [s for s in mail.servers if s.protocol == protocol and s.security == security]
        if offered:
            for priority, server in enumerate(offered):
                lines.append(f"{name}.{domain}.\t{TTL}\tIN\tSRV\t{priority} 1 {server.port} {server.host}.")
        else:
            lines.append(f"{name}.{domain}.\t{TTL}\tIN\tSRV\t0 0 0 .")
    return lines
