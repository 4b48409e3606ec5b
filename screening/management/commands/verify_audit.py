"""manage.py verify_audit: recompute the audit hash chain, report its first broken link.

Exit 0 with `audit chain ok: N events, head seq S <hash>`; exit 1 at the first broken
link (security.md §3.3). Keep the printed head outside the database (the backup log): a
chain rewritten from the start, or cut at its tail, shows only against a head kept
elsewhere. Further checks register with screening.audit.register_integrity_check and
run after the chain: the sign-offs of §3.4 (signoff_verification: hashes, status,
successors, hashes in the chain). Sign-offs made before their hashes were chained are
listed as "not chain-protected" without failing (issue 13 F8).
"""

from typing import Any

from django.core.management.base import BaseCommand

from screening import audit

# Importing registers the sign-off checks (security.md §3.4) with the audit module.
from screening.services import signoff_verification


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain, then every registered integrity check. "
        "Exits 1 at the first broken link or any failed check."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        broken, count, head = audit.find_chain_break()
        if broken is not None:
            self.stdout.write(broken)
            raise SystemExit(1)
        if head is None:
            self.stdout.write("audit chain ok: 0 events")
        else:
            self.stdout.write(
                f"audit chain ok: {count} events, head seq {head.seq} {head.row_hash}"
            )
        for line in signoff_verification.list_unprotected_signoffs():
            self.stdout.write(line)
        problems = [line for check in audit.integrity_checks for line in check()]
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise SystemExit(1)
