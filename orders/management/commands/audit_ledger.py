from django.core.management.base import BaseCommand, CommandError

from orders.accounting.allocations import ledger_audit_report


class Command(BaseCommand):
    help = (
        "Check the revenue ledger's invariants over the whole database, recomputing every line's split, every "
        "refund's reversal and every closed month's checksum; exits non-zero naming each violation."
    )

    def handle(self, *args, **options):
        report = ledger_audit_report()
        for note in report.notes:
            self.stdout.write(note)
        for problem in report.problems:
            self.stderr.write(problem)
        if report.problems:
            raise CommandError(f"{len(report.problems)} ledger violation(s).")
        self.stdout.write(self.style.SUCCESS("Ledger is consistent."))
