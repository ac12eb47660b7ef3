import pytest

from testing.status import TestCA


@pytest.fixture
def ca(tmp_path, settings):
    """A private CA the probes trust, as an institution with its own PKI would configure."""
    authority = TestCA(tmp_path)
    settings.GUICHET_STATUS_CA_FILE = str(authority.ca_file)
    settings.GUICHET_STATUS_TIMEOUT = 2.0
    return authority


@pytest.fixture
def good_cert(ca):
    return ca.issue("127.0.0.1", "localhost", days=90)
