from django.conf import settings


def storefront(request) -> dict:
    """What the base template needs on every page: the language list and the currency."""
    return {"LANGUAGES_AVAILABLE": settings.LANGUAGES, "CURRENCY": settings.CURRENCY}
