"""Language choice: Simplified Chinese unless the visitor picked another language.

Django's LocaleMiddleware would follow the browser's Accept-Language; this shop speaks
Chinese first and switches only when asked (the language switch sets a cookie).
"""

from django.conf import settings
from django.utils import translation


class SiteLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # The thread serves the next request (or test) in the site's language again.
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response
