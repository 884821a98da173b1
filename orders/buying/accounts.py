"""Consumer accounts: sign up and log in with an email address or a mainland mobile number."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from orders.models import CustomerProfile

MOBILE = re.compile(r"^1[3-9]\d{9}$")


def identifier_kind(identifier: str) -> str:
    """"mobile" or "email"; raises ValidationError for anything else."""
    identifier = identifier.strip()
    if MOBILE.match(identifier):
        return "mobile"
    try:
        validate_email(identifier)
    except ValidationError:
        raise ValidationError(_("Enter an email address or an 11-digit mobile number."), code="identifier")
    return "email"


def _user_for(identifier: str):
    User = get_user_model()
    identifier = identifier.strip()
    if MOBILE.match(identifier):
        return User.objects.filter(customer_profile__mobile=identifier).first()
    return User.objects.filter(email__iexact=identifier).order_by("pk").first()


@transaction.atomic
def customer_register(*, identifier: str, password: str):
    """Create a consumer account. Raises ValidationError (taken, weak password, bad identifier)."""
    kind = identifier_kind(identifier)
    identifier = identifier.strip().lower() if kind == "email" else identifier.strip()
    if _user_for(identifier) is not None:
        raise ValidationError(_("An account with this %(kind)s already exists; log in instead.") % {"kind": _(kind)}, code="taken")
    User = get_user_model()
    user = User(username=f"{kind}:{identifier}", email=identifier if kind == "email" else "")
    validate_password(password, user)
    user.set_password(password)
    user.save()
    CustomerProfile.objects.create(user=user, mobile=identifier if kind == "mobile" else None)
    return user


class EmailOrMobileBackend(ModelBackend):
    """Authenticates with an email address or mobile number as the username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = _user_for(username)
        if user is None:
            get_user_model()().set_password(password)  # same work either way, against timing probes
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
