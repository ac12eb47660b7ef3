"""Demo accounts, one per public and role (README). Only in demo mode (GUICHET_DEMO=1)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from institutions import queries, routing

DEMO = [
    # identifier, display name, role flags
    ("etudiant.demo@etu.univ-poitiers.fr", "Étudiante Démo", {}),
    ("enseignant.demo@ac-poitiers.fr", "Enseignant Démo", {}),
    ("soignant.demo@chu-poitiers.fr", "Soignante Démo", {}),
    ("admin.demo@univ-poitiers.fr", "Administratrice Démo", {"is_staff": True, "is_superuser": True}),
    ("agent.demo@univ-poitiers.fr", "Agent Support Démo", {"is_support_agent": True}),
    ("rh.demo@chu-poitiers.fr", "Valideuse RH Démo", {"is_hr_approver": True}),
    # Not in the list, but the HR path needs someone to file requests.
    ("cadre.demo@chu-poitiers.fr", "Cadre de santé Démo", {"is_manager": True}),
]


class Command(BaseCommand):
    help = "Create or refresh the demo accounts (GUICHET_DEMO=1 only)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.GUICHET_DEMO:
            raise CommandError("Demo data exists only in demo mode: set GUICHET_DEMO=1.")
        now = timezone.now()
        for n, (identifier, name, flags) in enumerate(DEMO, 1):
            route = queries.route(identifier)
            if route.status != routing.MATCHED or route.target is None:
                raise CommandError(f"{identifier}: its domain is not in the set-up file")
            public = route.target
            account, _ = Account.objects.update_or_create(
                identifier=identifier,
                defaults={
                    "institution": public.institution,
                    "public": public,
                    "platform": public.platform,
                    "display_name": name,
                    "directory": "database",
                    "secondary_email": f"{identifier.split('@')[0]}@example.org",
                    "secondary_email_verified_at": now,
                    "mobile": f"+3360000000{n}",
                    "mobile_verified_at": now,
                    "status": Account.ACTIVE,
                    **flags,
                },
            )
            account.set_password(settings.GUICHET_DEMO_PASSWORD)
            account.save(update_fields=["password"])
        self.stdout.write(f"{len(DEMO)} demo accounts, password from GUICHET_DEMO_PASSWORD")
