"""Buying from the room, start reminders and the session report (thin views)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from livestream.models import LiveSession
from livestream.reminders import ReminderError, reminder_request
from livestream.reports import session_report, session_report_csv
from livestream.sales import room_buy as room_buy_service
from orders.buying.cart import MAX_QUANTITY_PER_LINE, CartError, cart_view
from orders.buying.session_cart import cart_for_request


class RoomBuyForm(forms.Form):
    sku = forms.CharField(max_length=64)
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY_PER_LINE)
    offer_id = forms.IntegerField(required=False, min_value=1)


class ReminderForm(forms.Form):
    email = forms.EmailField(max_length=254)


def _error(code: str, message: str, *, status: int, fields: dict | None = None) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": fields or {}}}, status=status)


@require_POST
def room_buy(request: HttpRequest, pk: int) -> JsonResponse:
    """Add to the cart from the room; answers JSON for the buy sheet, which then checks out in place."""
    session = get_object_or_404(LiveSession, pk=pk)
    form = RoomBuyForm(request.POST)
    if not form.is_valid():
        fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        return _error("invalid", _("Choose an item and a quantity from 1 to 99."), status=400, fields=fields)
    cart = cart_for_request(request, create=True)
    try:
        room_buy_service(
            session=session, cart=cart, sku=form.cleaned_data["sku"], quantity=form.cleaned_data["quantity"],
            offer_id=form.cleaned_data["offer_id"], user=request.user,
        )
    except CartError as error:
        return _error("unavailable", str(error), status=409)
    return JsonResponse(
        {"ok": True, "cart_count": cart_view(cart=cart).item_count, "checkout_url": reverse("orders:checkout")}
    )


@require_POST
def reminder_create(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(LiveSession, pk=pk)
    email = request.POST.get("email") or (request.user.email if request.user.is_authenticated else "")
    form = ReminderForm({"email": email})
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not form.is_valid():
        message = _("Give a valid email address for the reminder.")
        if wants_json:
            return _error("invalid", message, status=400, fields={"email": [message]})
        messages.error(request, message)
        return redirect(session.get_absolute_url())
    try:
        reminder_request(session=session, email=form.cleaned_data["email"], user=request.user)
    except ReminderError as error:
        if wants_json:
            return _error("unavailable", str(error), status=409)
        messages.error(request, str(error))
        return redirect(session.get_absolute_url())
    message = _("We will email %(email)s when the session starts.") % {"email": form.cleaned_data["email"]}
    if wants_json:
        return JsonResponse({"ok": True, "message": message})
    messages.success(request, message)
    return redirect(session.get_absolute_url())


def _report_session(request: HttpRequest, pk: int) -> LiveSession:
    """The session, for its host or staff who may change sessions; anyone else is refused."""
    session = get_object_or_404(LiveSession.objects.select_related("host__user"), pk=pk)
    if request.user.pk != session.host.user_id and not request.user.has_perm("livestream.change_livesession"):
        raise PermissionDenied
    return session


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    session = _report_session(request, pk)
    return render(request, "livestream/report.html", {"report": session_report(session), "session": session})


@login_required
def report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    session = _report_session(request, pk)
    response = HttpResponse(session_report_csv(session_report(session)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="live-session-{session.pk}-report.csv"'
    return response
