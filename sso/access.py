"""Who may open what: platforms and clients by public."""

from institutions.models import Client, Platform


def recommended_platform(account) -> Platform | None:
    return account.platform or (account.public.platform if account.public_id else None)


def may_use(account, client: Client) -> bool:
    if not account.is_active:
        return False
    if account.public_id is None:
        # Accounts without a public (bare logins) may use their institution's clients only.
        return not client.publics.exists() or client.publics.filter(institution=account.institution_id).exists()
    return client.allows(account.public)


def right_door(account) -> Platform | None:
    """Where a person sent to a platform that is not theirs should go instead."""
    return recommended_platform(account)


def clients_for(account) -> list[Client]:
    """What « Mes services » lists: the clients this person may open, recommended platform first."""
    recommended = recommended_platform(account)
    allowed = [c for c in Client.objects.select_related("platform").prefetch_related("publics") if may_use(account, c)]
    return sorted(allowed, key=lambda c: (c.platform_id != getattr(recommended, "pk", None), c.order))
