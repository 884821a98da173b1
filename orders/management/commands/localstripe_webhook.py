"""Point a running localstripe at this site's webhook endpoint (used by `make run`)."""

import time

import requests
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Wait for localstripe to answer, then register this site's Stripe webhook endpoint with it."

    def add_arguments(self, parser):
        parser.add_argument("--api-base", required=True, help="e.g. http://127.0.0.1:8420")
        parser.add_argument("--url", required=True, help="the webhook URL, e.g. http://127.0.0.1:8000/stripe/webhook/")
        parser.add_argument("--secret", required=True, help="the signing secret (STRIPE_WEBHOOK_SECRET)")
        parser.add_argument("--timeout", type=float, default=20.0)

    def handle(self, *args, api_base, url, secret, timeout, **options):
        deadline = time.monotonic() + timeout
        while True:
            try:
                response = requests.post(f"{api_base}/_config/webhooks/site", data={"url": url, "secret": secret}, timeout=2)
                response.raise_for_status()
                break
            except requests.RequestException as error:
                if time.monotonic() > deadline:
                    raise CommandError(f"localstripe at {api_base} did not answer within {timeout:.0f} s: {error}")
                time.sleep(0.2)
        self.stdout.write(f"localstripe at {api_base} sends its webhooks to {url}")
