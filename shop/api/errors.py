"""The API's error shape, for the schema: every app's endpoints answer errors this way.

config/api_errors.py turns exceptions into it; these serializers only document it.
"""

from rest_framework import serializers


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable reason, e.g. invalid, not_found, cart_error, sold_out.")
    message = serializers.CharField(help_text="What went wrong and what to do, for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per-field messages when the request had invalid fields; empty otherwise.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()
