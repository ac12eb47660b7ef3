"""Sent once an event's transaction has committed, so listeners (metrics) never count a
change that was rolled back. Listeners live in upper apps; audit names none of them."""

from django.dispatch import Signal

# Sent with `code` (the dotted event code) and `data` (the event's details).
event_committed = Signal()
