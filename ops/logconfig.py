"""Log lines: JSON in production, readable text in the demo and the tests; secrets masked.

GUICHET_LOG_FORMAT=json (the default unless GUICHET_DEMO, GUICHET_DEBUG or the tests) gives
one JSON object per line: timestamp (UTC), level, logger, event, and the request id of the
request being served (django-structlog's RequestMiddleware binds it: nginx's X-Request-ID
behind the proxy, a fresh UUID otherwise; `RequestIdHeader` echoes it in the response). Lines
from the standard library's loggers (Django, huey, libraries) go through the same formatter
and carry the request id too. Every string of every line goes through guichet.logmask.mask:
reset links, CAS tickets, `code=`, tokens and passwords never reach a log.

Imported by the settings: nothing here may import Django models.
"""

import logging
from collections.abc import Callable
from typing import Any

import structlog
from django.http import HttpRequest, HttpResponse
from structlog.typing import EventDict, Processor, WrappedLogger

FORMATS = ("json", "plain")
# The masking function (guichet.logmask.mask) comes from the settings: ops sits below guichet.
Mask = Callable[[str], str]


def masking(mask: Mask) -> Processor:
    """A processor masking every string value of the line, the event and a traceback included."""

    def mask_secrets(logger: WrappedLogger, method: str, event: EventDict) -> EventDict:
        for key, value in event.items():
            if isinstance(value, str):
                event[key] = mask(value)
        return event

    return mask_secrets


def _shared() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def configure_structlog(log_format: str, mask: Mask) -> None:
    """structlog's own loggers (django-structlog's) hand their lines to the standard handlers."""
    if log_format == "json":
        # Python's warnings too, or they would be the only text lines in a JSON log.
        logging.captureWarnings(True)
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared(),
            structlog.processors.format_exc_info,
            masking(mask),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def formatter(log_format: str, mask: Mask) -> dict[str, Any]:
    """A logging.config formatter entry rendering `log_format` ("json" or "plain")."""
    renderer: Processor
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            masking(mask),
            renderer,
        ],
        "foreign_pre_chain": _shared(),
    }


def logging_config(
    log_format: str, level: str, mask: Mask, mask_filter: type[logging.Filter] | None = None
) -> dict[str, Any]:
    """The LOGGING setting: one console handler, every line masked, in `log_format`.

    `mask_filter` (guichet.logmask.MaskingFilter) masks a record's message before any
    formatter sees it; the formatter masks every field of the line again.
    """
    if log_format not in FORMATS:
        raise ValueError(f"GUICHET_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"guichet": formatter(log_format, mask)},
        "filters": {"mask": {"()": mask_filter or logging.Filter}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "guichet", "filters": ["mask"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.request": {"level": "ERROR", "propagate": True},
            # pysaml2's schema library announces every schema it loads.
            "xmlschema": {"level": "WARNING"},
        },
    }


def bind_client_ip(sender: object, request: HttpRequest, **_kwargs: object) -> None:
    """The client's address as Guichet trusts it (the proxy's last hop), on the request's lines."""
    from audit.actions import client_ip

    structlog.contextvars.bind_contextvars(ip=client_ip(request))


def outage_code(sender: object, exception: BaseException, log_kwargs: dict[str, object], **_kwargs: object) -> None:
    """A lost database or Redis is answered 503 (ops/outage.py): the failure line says so.

    django-structlog writes « request_failed » with code 500 for every exception that reaches
    Django's handler, before the handler turns an outage into the 503 page.
    """
    from .outage import is_outage

    if is_outage(exception):
        log_kwargs["code"] = 503


class RequestIdHeader:
    """Echoes the request id of the log lines in the response's X-Request-ID header.

    Placed right after django-structlog's RequestMiddleware, which binds the id and forgets
    it once the response has left; nginx hides this header and sends its own, the same id.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if request_id:
            response["X-Request-ID"] = str(request_id)
        return response
