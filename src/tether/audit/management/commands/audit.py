"""`tether audit verify` and `tether audit prune` (docs/security.md §Audit
trail)."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tether.audit import chain, services


class Command(BaseCommand):
    help = "Check the audit trail's hash chains, or delete events past the retention period."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        actions.add_parser(
            "verify",
            help="check every chain; exit 1 naming each broken row",
        )
        actions.add_parser(
            "prune",
            help="delete the events older than TETHER_AUDIT_RETENTION_YEARS, keeping a checkpoint",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "prune":
            self._prune()
        else:
            self._verify()

    def _verify(self) -> None:
        sealed = chain.seal_all()
        if sealed:
            self.stdout.write(f"Chained {sealed} events that were waiting.")
        results = chain.verify()
        broken = 0
        for head, breaks in results.items():
            for found in breaks:
                broken += 1
                self.stderr.write(f"{chain.chain_name(head)}, {found}")
            if not breaks:
                self.stdout.write(
                    f"{chain.chain_name(head)}: intact through sequence "
                    f"{head.sequence}, head hash {head.head_hash or '-'}"
                )
        if broken:
            places = "1 place" if broken == 1 else f"{broken} places"
            raise CommandError(f"The audit trail is broken in {places}, named above.")
        self.stdout.write(f"The audit trail is intact ({len(results)} chains).")

    def _prune(self) -> None:
        cutoff = services.retention_cutoff()
        try:
            done = services.prune()
        except services.ChainBroken as error:
            for found in error.breaks:
                self.stderr.write(str(found))
            raise CommandError(
                "Nothing more was pruned: a chain does not verify, and pruning it "
                "would delete the evidence. Run `tether audit verify`."
            ) from error
        for pruned in done:
            name = (
                pruned.organization.name if pruned.organization else "no organization"
            )
            self.stdout.write(
                f"{name}: deleted {pruned.events} events, through sequence {pruned.through_sequence}"
            )
        self.stdout.write(f"Events from before {cutoff:%Y-%m-%d} are pruned.")
