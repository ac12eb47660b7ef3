"""Who may open what: platforms and clients by public."""

from accounts.models import Account
from institutions.models import Client, Platform


def recommended_platform(account: Account) -> Platform | None:
    return account.platform or (account.public.platform if account.public is not None else None)


def may_use(account: Account, client: Client) -> bool:
    if not account.is_active:
        return False
    public = account.public
    if public is None:
        # Accounts without a public (bare logins) may use their institution's clients only.
        return not client.publics.exists() or client.publics.filter(institution=account.institution_id).exists()
    return client.allows(public)


def right_door(account: Account) -> Platform | None:
    """Where a person sent to a platform that is not theirs should go instead."""
    return recommended_platform(account)


def released(account: Account, wanted: list[str]) -> dict[str, list[str]]:
    """The attributes a client may receive: only those its config lists, only known names."""
    available = {
        "mail": [account.identifier] if "@" in account.identifier else [],
        "displayName": [account.display_name] if account.display_name else [],
        "eduPersonAffiliation": [a for a in account.affiliation.split(",") if a],
        "institution": [account.institution.slug],
        "platform": [account.platform.slug] if account.platform is not None else [],
    }
    return {name: available[name] for name in wanted if available.get(name)}


def clients_for(account: Account) -> list[Client]:
    """What « Mes services » lists: the clients this person may open, recommended platform first."""
    recommended = recommended_platform(account)
    allowed = [c for c in Client.objects.select_related("platform").prefetch_related("publics") if may_use(account, c)]
    return sorted(allowed, key=lambda c: (c.platform_id != getattr(recommended, "pk", None), c.order))
