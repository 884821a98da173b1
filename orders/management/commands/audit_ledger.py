from django.core.management.base import BaseCommand, CommandError

from orders.accounting.allocations import ledger_audit


class Command(BaseCommand):
    help = "Check the revenue ledger's invariants over the whole database; exits non-zero naming each violation."

    def handle(self, *args, **options):
        problems = ledger_audit()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} ledger violation(s).")
        self.stdout.write(self.style.SUCCESS("Ledger is consistent."))
