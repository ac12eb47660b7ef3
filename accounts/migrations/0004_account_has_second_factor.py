"""Account.has_second_factor: read with the account row at sign-in instead of asking each
device table; set here for every account that already has a confirmed device."""

from django.db import migrations, models

DEVICE_MODELS = (
    ("accounts", "TOTPDevice"),
    ("accounts", "RecoveryCodeDevice"),
    ("otp_totp", "TOTPDevice"),
    ("django_otp_webauthn", "WebAuthnCredential"),
)


def backfill(apps, schema_editor):
    Account = apps.get_model("accounts", "Account")
    owners = set()
    for app_label, name in DEVICE_MODELS:
        model = apps.get_model(app_label, name)
        owners.update(model.objects.filter(confirmed=True).values_list("user_id", flat=True))
    Account.objects.filter(pk__in=owners).update(has_second_factor=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_totp_secret_encrypted"),
        ("otp_totp", "0003_add_timestamps"),
        ("django_otp_webauthn", "0004_webauthnuserhandle"),
    ]

    operations = [
        migrations.AddField(
            model_name="account",
            name="has_second_factor",
            field=models.BooleanField(default=False, editable=False, verbose_name="second facteur"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
