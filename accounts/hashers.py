from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """argon2id, m=19 MiB, t=2, p=1: the OWASP baseline, about 25 ms of CPU per sign-in."""

    memory_cost = 19 * 1024
    time_cost = 2
    parallelism = 1
