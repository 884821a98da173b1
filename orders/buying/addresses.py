"""The consumer's address book."""

from django.db import transaction

from orders.models import Address


@transaction.atomic
def address_save(*, user, address: Address) -> Address:
    """Save an address (new or edited) as one of the user's.

    The first address, or one marked default, becomes the only default.
    """
    address.user = user
    first = not Address.objects.filter(user=user).exclude(pk=address.pk).exists()
    address.is_default = address.is_default or first
    address.save()
    if address.is_default:
        Address.objects.filter(user=user, is_default=True).exclude(pk=address.pk).update(is_default=False)
    return address


@transaction.atomic
def address_set_default(*, user, address_id: int) -> Address:
    """Make one of the user's addresses the default. Raises Address.DoesNotExist."""
    address = Address.objects.select_for_update().get(user=user, pk=address_id)
    Address.objects.filter(user=user, is_default=True).exclude(pk=address.pk).update(is_default=False)
    if not address.is_default:
        address.is_default = True
        address.save(update_fields=["is_default"])
    return address


@transaction.atomic
def address_delete(*, user, address_id: int) -> None:
    """Delete one of the user's addresses; if it was the default, the newest left takes over.

    Raises Address.DoesNotExist.
    """
    address = Address.objects.select_for_update().get(user=user, pk=address_id)
    was_default = address.is_default
    address.delete()
    if was_default:
        newest = Address.objects.filter(user=user).order_by("-created_at", "-pk").first()
        if newest is not None:
            newest.is_default = True
            newest.save(update_fields=["is_default"])
