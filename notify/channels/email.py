from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from ..models import Message


def send(message: Message) -> None:
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={
            # RFC 3834: tells out-of-office robots not to answer an automatic message.
            "Auto-Submitted": "auto-generated",
            "Content-Language": message.language,
        },
    )
    if message.body_html:
        mail.attach_alternative(message.body_html, "text/html")
    # EMAIL_BACKEND decides where it goes; failures raise and the outbox retries.
    mail.send(fail_silently=False)
