# bare_login of the accounts tests (the other personas come from testing.personas), for the pages they see.
from accounts.tests.conftest import bare_login  # noqa: F401
