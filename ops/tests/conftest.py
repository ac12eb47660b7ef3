from accounts.tests.conftest import student  # noqa: F401 - the same persona as the accounts tests
