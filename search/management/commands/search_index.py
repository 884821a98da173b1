"""`manage.py search_index rebuild|status`: rebuild the catalogue index with a progress bar, or
show what is indexed."""

import json
import time

from django.core.management.base import BaseCommand

from search import indexing
from search.documents import searchable_product_count

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Rebuild the catalogue search index (new index, fill, swap) or show its status."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["rebuild", "status"])

    def handle(self, *args, action: str, **options) -> None:
        if action == "status":
            self.stdout.write(json.dumps(indexing.index_status(), ensure_ascii=False, indent=2, default=str))
            return
        total = searchable_product_count()
        began = time.perf_counter()

        def progress(done: int) -> None:
            filled = BAR_WIDTH * done // total if total else BAR_WIDTH
            self.stderr.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}", ending="")
            self.stderr.flush()

        progress(0)
        written = indexing.product_index_rebuild(progress=progress)
        self.stderr.write("")
        self.stdout.write(self.style.SUCCESS(f"Indexed {written} products in {time.perf_counter() - began:.1f} s."))
