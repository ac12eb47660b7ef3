"""The audit codes of the support app: one constant each, each with its label in both languages."""

from django.utils import translation

from support import events


def test_every_code_has_a_label_and_every_label_a_code():
    codes = {value for name, value in vars(events).items() if name.isupper() and isinstance(value, str)}
    assert codes == set(events.LABELS)
    assert all(code.startswith("support.") for code in codes)


def test_the_labels_read_in_english_on_english_pages():
    with translation.override("en"):
        english = {code: str(label) for code, label in events.LABELS.items()}
    with translation.override("fr"):
        french = {code: str(label) for code, label in events.LABELS.items()}
    assert all(english[code] != french[code] for code in events.LABELS)
