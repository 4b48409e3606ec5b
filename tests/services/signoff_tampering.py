"""What a database owner can do behind the app's back, for the integrity tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from screening.models import Intake
from screening.services import review_hashes, reviews


@contextmanager
def behind_the_triggers() -> Iterator[None]:
    """Run statements with the PostgreSQL triggers off, as a database owner could
    (session_replication_role); SQLite has none of those triggers."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


def rehash(signoff: Any) -> dict[str, str]:
    """Both hashes of a sign-off recomputed from today's rows with the app's own
    functions under its format: what an owner who changed a row would store."""
    intake = fresh_intake(signoff.intake_id)
    state = reviews.load_review_state(intake, signoff.screening)
    fmt = signoff.hash_format
    summary = review_hashes.compute_summary_hash(
        intake, screening=signoff.screening, state=state, hash_format=fmt
    )
    signature = review_hashes.compute_signature_hash(
        summary_sha256=summary,
        acknowledgements=review_hashes.signed_acknowledgements(state),
        disposition=state.disposition,
        signer_id=signoff.signer_id,
        signed_at=signoff.signed_at,
        identity=signoff.identity_sha256,
        hash_format=fmt,
    )
    return {"summary_sha256": summary, "signature_sha256": signature}


def fresh_intake(pk: int) -> Intake:
    return Intake.objects.select_related("clinic", "patient").get(pk=pk)
