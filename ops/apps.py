from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: readiness, metrics, the worker's heartbeat, backups."""

    name = "ops"
    verbose_name = _("Exploitation")

    def ready(self) -> None:
        from django_structlog import signals as structlog_signals

        from audit.signals import event_committed

        from . import logconfig, metrics

        event_committed.connect(metrics.count_event, dispatch_uid="ops.metrics.count_event")
        structlog_signals.bind_extra_request_metadata.connect(
            logconfig.bind_client_ip, dispatch_uid="ops.logconfig.bind_client_ip"
        )
        structlog_signals.bind_extra_request_failed_metadata.connect(
            logconfig.outage_code, dispatch_uid="ops.logconfig.outage_code"
        )
