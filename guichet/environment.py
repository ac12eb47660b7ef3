"""Reading the environment strictly: a value that is not what its variable expects stops start-up.

django-environ reads any unknown word as False, so `GUICHET_HTTPS=flase` would quietly turn
HTTPS off. Here it names the variable and the words it accepts instead.
"""

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "n"})


# django-environ ships no type information: its Env is Any to the checker.
class Env(environ.Env):  # type: ignore[misc]
    def bool(self, var: str, default: object = environ.Env.NOTSET) -> bool:
        raw = self.ENVIRON.get(var, "").strip()
        if not raw:  # unset or empty: the default (or django-environ's own "not set" error)
            return bool(super().bool(var)) if default is environ.Env.NOTSET else bool(default)
        word = raw.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ImproperlyConfigured(
            f"{var}={raw!r} is not a yes/no value: use one of 1/0, true/false, yes/no, on/off "
            f"(« {raw} » n'est pas une valeur oui/non pour {var})."
        )

    def int(self, var: str, default: object = environ.Env.NOTSET) -> int:
        try:
            value: int = super().int(var, default=default)
            return value
        except ValueError:
            raw = self.ENVIRON.get(var, "")
            raise ImproperlyConfigured(
                f"{var}={raw!r} is not a whole number (« {raw} » n'est pas un nombre entier pour {var})."
            ) from None
