"""Finding 2: reset codes and links were kept in clear in the outbox, readable by a staff
user with only « view message », and link tokens and CAS tickets reached the access log.

Twenty resets by e-mail go through the running worker; the codes and link tokens are read
from what was delivered (var/mail/), then searched for in the outbox table as stored, in
the admin pages a « view message » staff user can open, and in the server's log (Django's
lines; the access log's masking is guichet.logmask.AccessLogger, which `make run` uses).
"""

import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

FINDINGS = (2,)
TITLE = "Nothing that opens an account is kept readable"
RESETS = 20


def _delivered_secrets(since: float) -> set[str]:
    found: set[str] = set()
    for path in Path(settings.EMAIL_FILE_PATH).glob("*.log"):
        if path.stat().st_mtime < since:
            continue
        text = path.read_text(errors="replace")
        found.update(re.findall(r"\b(\d{6,8}|[A-Z0-9]{4}-[A-Z0-9]{4})\b", text))
        found.update(re.findall(r"/password/reset/lien/([^/\s]+)/", text))
    return {s for s in found if len(s) >= 6}


def run(target) -> dict:
    from django.contrib.auth.models import Permission

    from accounts.models import Account
    from notify.models import Message

    started = time.time() - 1
    suffix = secrets.token_hex(3)
    people = target.accounts([f"bench.f2.{suffix}.{n}@etu.univ-poitiers.fr" for n in range(RESETS)])
    for n, person in enumerate(people):
        target.browser(f"192.0.2.{n + 1}").post(
            "/password/reset/",
            {"identifier": person.identifier, "channel": "email", "contact": person.secondary_email},
        )
    deadline = time.monotonic() + 45
    mine = Message.objects.filter(account__in=people, purpose="recovery.code")
    while time.monotonic() < deadline and mine.filter(status=Message.SENT).count() < RESETS:
        time.sleep(0.5)
    delivered = mine.filter(status=Message.SENT).count()
    secrets_sent = _delivered_secrets(started)
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject, body_text, body_html FROM notify_message")
        stored = repr(cursor.fetchall())
    in_table = sum(s in stored for s in secrets_sent)

    viewer = target.account(f"bench.f2.viewer.{suffix}@univ-poitiers.fr", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_message"))
    staff = target.browser("192.0.2.200")
    staff.post("/login/", {"identifier": viewer.identifier, "password": "Correct-Horse-Battery-2026"})
    answers = [staff.get("/admin/notify/message/")]
    answers += [staff.get(f"/admin/notify/message/{m.pk}/change/") for m in mine[:RESETS]]
    pages = [a.text for a in answers if a.status_code == 200]
    admin_text = "\n".join(pages)
    in_admin = sum(s in admin_text for s in secrets_sent)

    log = Path(settings.VAR_DIR) / "server.log"
    log_text = log.read_text(errors="replace") if log.exists() else ""
    for token in re.findall(r"/password/reset/lien/([^/\s]+)/", "\n".join(secrets_sent)):
        target.browser("192.0.2.201").get(f"/password/reset/lien/{token}/")
    in_log = sum(s in log_text for s in secrets_sent)
    Account.objects.filter(pk=viewer.pk).delete()
    return {
        "figures": {
            "resets delivered by the worker": f"{delivered} of {RESETS}",
            "codes and link tokens delivered": len(secrets_sent),
            "of them found in the outbox table": in_table,
            "of them in admin pages a « view message » user opens": in_admin,
            "of them in the server log": in_log,
            "admin pages read (answered 200)": f"{len(pages)} of {len(answers)}",
        },
        "checks": {
            "every reset was delivered (the scan is meaningful)": delivered == RESETS and len(secrets_sent) >= RESETS,
            "0 codes or links in the outbox table": in_table == 0,
            "0 codes or links in the admin (every page was read)": in_admin == 0 and len(pages) == len(answers),
            "0 codes or links in the log": in_log == 0,
        },
    }
