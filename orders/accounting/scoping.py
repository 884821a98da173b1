"""Who may see which cooperative's accounts: platform admins all, accountants their own."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from shop.models import Cooperative, Participant


def cooperatives_for_user(*, user: AbstractBaseUser) -> QuerySet[Cooperative]:
    """The cooperatives whose ledger, statements, participants and orders the user may see."""
    if not user.is_authenticated or not user.is_active:
        return Cooperative.objects.none()
    if user.is_superuser:
        return Cooperative.objects.all()
    return Cooperative.objects.filter(accountants__user=user)


def is_accountant(*, user: AbstractBaseUser) -> bool:
    return user.is_authenticated and (user.is_superuser or cooperatives_for_user(user=user).exists())


def participants_visible_to(*, user: AbstractBaseUser) -> "QuerySet":
    """Workshop participants a user may see: an accountant those of their cooperatives' workshops."""
    if user.is_superuser:
        return Participant.objects.all()
    if hasattr(user, "accountant"):
        return Participant.objects.filter(workshop__cooperative__in=cooperatives_for_user(user=user))
    return Participant.objects.all()
