from django.conf import settings


def storefront(request) -> dict:
    """What the base template needs on every page: the language list, the currency, and
    whether the page is shown inside a frame of our own (the live room's buy sheet checks out
    in one), where the site's header and footer would only get in the way."""
    return {
        "LANGUAGES_AVAILABLE": settings.LANGUAGES,
        "CURRENCY": settings.CURRENCY,
        "EMBEDDED": request.headers.get("Sec-Fetch-Dest") == "iframe",
    }
