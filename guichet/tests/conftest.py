# The personas of the accounts tests, for the pages they see.
from accounts.tests.conftest import bare_login, student  # noqa: F401
