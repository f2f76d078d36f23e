"""Password hashing for staff and patient accounts."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class ClinicArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with 19 MiB of memory, 2 passes and 1 lane: the configuration the OWASP
    Password Storage Cheat Sheet recommends.

    Django's default (100 MiB, 2 passes, 8 lanes) keeps every core of a small server busy
    for about 0.2 s per sign-in, so when the front desk opens and patients open the app at
    the same time, every other request waits behind the sign-ins. Same algorithm name:
    stored hashes still verify and are re-hashed with these parameters at the next sign-in.
    """

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
