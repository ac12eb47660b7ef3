"""Personas for the assisted-reset tests: support agents, managers, HR approvers and the
people they help, built with the suite's helpers (testing.personas); here an account's
public defaults to the CHU. Plain functions, so each test module declares only the fixtures it uses."""

from accounts.models import Account
from testing.personas import make_person
from testing.personas import with_second_factor as signed_in

__all__ = ["make", "signed_in"]


def make(identifier: str, public: str = "chu", *, email: str = "", mobile: str = "", **fields) -> Account:
    """An account of `public`'s institution, with a secondary address and mobile verified two
    days ago when given (past the 24-hour wait a new channel may have)."""
    return make_person(identifier, public, email=email, mobile=mobile, **fields)
