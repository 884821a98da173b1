from django.core.management.base import BaseCommand

from cms.demo.loader import demo_load


class Command(BaseCommand):
    help = "Load the demo alliances, villages, cooperatives, workshops and products. Safe to run again."

    def handle(self, *args, **options):
        demo_load(progress=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
