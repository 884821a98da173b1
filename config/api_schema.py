"""drf-spectacular hooks."""


def public_api_only(endpoints: list, **kwargs) -> list:
    """Keep /api/v1/ in the published schema; Wagtail's admin API is not ours to document."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
