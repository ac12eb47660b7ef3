"""The request type of pages behind `login_required`."""

from django.http import HttpRequest

from ..models import Account


class SignedInRequest(HttpRequest):
    """A request that `login_required` let through: its user is an Account, not anonymous.

    For type checking only (django-stubs' documented pattern); at run time it is the plain
    HttpRequest Django passes.
    """

    user: Account
