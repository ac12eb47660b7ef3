"""A database that has gone away, for the tests of what people see then (503 pages, log lines)."""

from typing import Any, NoReturn

from django.db import OperationalError


def no_database(execute: Any, sql: str, params: Any, many: bool, context: Any) -> NoReturn:
    """For `connection.execute_wrapper`: every statement fails as with a lost server."""
    raise OperationalError("server closed the connection unexpectedly")
