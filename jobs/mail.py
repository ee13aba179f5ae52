"""Emails that background tasks send at most once each, whatever happens to the task."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from jobs.models import SentEmail


@dataclass(frozen=True)
class Letter:
    """One email to one address, with the idempotency key that makes sending it twice impossible."""

    key: str
    to: str
    subject: str
    body: str


class EmailNotSent(Exception):
    """Some emails of a task were not sent; the others were, and are recorded."""


def send_once(letter: Letter) -> bool:
    """Send `letter` unless an email was already sent under its key; return whether it was sent now.

    The ledger row and the sending share one transaction: if the mail server
    refuses, the row goes with it and a retry sends again. While one worker
    sends, a second run of the same task waits on the row's unique key and
    then finds it taken (PostgreSQL), so two workers never both send.
    """
    with transaction.atomic():
        _, created = SentEmail.objects.get_or_create(key=ledger_key(letter.key), defaults={"recipient": letter.to})
        if not created:
            return False
        EmailMessage(letter.subject, letter.body, settings.DEFAULT_FROM_EMAIL, [letter.to]).send(fail_silently=False)
    return True


def ledger_key(key: str) -> str:
    """`key` as the ledger stores it: whole while it fits, else its start and its SHA-256, as unique as the key.

    A key names an address, and an address may be up to 254 characters long.
    """
    limit = SentEmail._meta.get_field("key").max_length
    if len(key) <= limit:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: limit - len(digest) - 1]}~{digest}"


def send_all_once(letters: Iterable[Letter]) -> int:
    """Send each letter once, all of them even if some fail; return how many went out now.

    Raises `EmailNotSent`, naming every address that failed and why, if any
    failed: the task then fails and is retried, and the retry sends only those.
    """
    sent, failures = 0, []
    for letter in letters:
        try:
            sent += send_once(letter)
        except Exception as error:  # a refused address must not stop the others
            failures.append((letter, error))
    if failures:
        detail = "; ".join(f"{letter.to} ({letter.key}): {type(error).__name__}: {error}" for letter, error in failures)
        raise EmailNotSent(f"{len(failures)} email(s) not sent, {sent} sent: {detail}") from failures[0][1]
    return sent
