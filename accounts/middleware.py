from .actions import sessions


class SessionGuard:
    """Ends sessions that were revoked elsewhere, idle too long or older than the maximum."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = sessions.guard(request)
            if reason:
                sessions.end(request, reason)  # the request goes on as an anonymous one
        return self.get_response(request)
