"""The worker's periodic work for single sign-on."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .protocols.saml import idp as saml
from .protocols.saml import metadata as saml_remote


@db_periodic_task(crontab(minute="17"))  # type: ignore[untyped-decorator]  # huey ships no types
def refresh_saml_metadata() -> dict[str, str]:
    """Every hour: SAML metadata published at a URL, fetched and checked again."""
    results = saml_remote.refresh_all()
    saml.forget()  # rebuilt at the next request with what was fetched
    return results
