from django.test import RequestFactory

from audit.actions import client_ip


def _request(**meta):
    return RequestFactory().get("/", **meta)


def test_the_address_is_the_peer(settings):
    assert client_ip(_request(REMOTE_ADDR="192.0.2.7")) == "192.0.2.7"


def test_x_forwarded_for_is_ignored_without_a_proxy(settings):
    request = _request(REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "192.0.2.7"


def test_behind_the_proxy_the_last_hop_counts(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The first entry is whatever the client sent; the proxy appended the real one.
    request = _request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


def test_an_address_that_is_not_one_is_not_logged(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = _request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="<script>")
    assert client_ip(request) is None


def test_an_ipv6_peer_is_kept():
    assert client_ip(_request(REMOTE_ADDR="2001:db8::1")) == "2001:db8::1"
