"""The buying pages: cart, checkout, payment, orders and the shopper's account.

Each view parses input with a form, makes one service or selector call and renders or
redirects. Prices, totals and stock always come from the services, never from the request.
"""

import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orders.buying import addresses, forms
from orders.buying.accounts import customer_register
from orders.buying.cart import CartError, cart_add, cart_set_quantity, cart_summary
from orders.buying.checkout import CheckoutError, order_place, reservation_minutes
from orders.buying.expiry import order_cancel
from orders.buying.payments import PaymentError, payment_confirm_card, payment_reconcile, payment_start
from orders.buying.session_cart import cart_for_request, order_for_request, session_order_remember
from orders.buying.status import OrderStateError
from orders.buying.stripe_gateway import PaymentGatewayError
from orders.models import Address, Order, OrderStatus, PaymentStatus
from shop.inventory import SoldOut

logger = logging.getLogger(__name__)

# The order page polls status.json every 2 s; Stripe is asked at most this often per order.
RECONCILE_EVERY_SECONDS = 5
ACCOUNT_ORDERS_PER_PAGE = 20


# --- Helpers (reads only) -------------------------------------------------------------------


def _safe_next(request: HttpRequest, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return None


def _stripe_js_url() -> str:
    if settings.STRIPE_API_BASE:
        return f"{settings.STRIPE_API_BASE.rstrip('/')}/js.stripe.com/v3/"
    return "https://js.stripe.com/v3/"


# --- Cart ----------------------------------------------------------------------------------


@require_GET
def cart_detail(request: HttpRequest) -> HttpResponse:
    summary = cart_summary(cart=cart_for_request(request))
    return render(request, "orders/cart.html", {"summary": summary, "cart": summary.view})


@require_POST
def cart_add_view(request: HttpRequest) -> HttpResponse:
    form = forms.CartAddForm(request.POST)
    back = _safe_next(request, request.POST.get("next"))
    if not form.is_valid():
        messages.error(request, _("Choose a size and a quantity from 1 to 99, then add it again."))
        return redirect(back or "orders:cart")
    try:
        cart_add(
            cart=cart_for_request(request, create=True),
            sku=form.cleaned_data["sku"], quantity=form.cleaned_data["quantity"],
        )
    except CartError as error:
        messages.error(request, str(error))
        return redirect(back or "orders:cart")
    messages.success(request, _("Added to your cart."))
    return redirect("orders:cart")


@require_POST
def cart_line_update(request: HttpRequest, line_id: int) -> HttpResponse:
    form = forms.CartLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a quantity from 0 to 99."))
        return redirect("orders:cart")
    cart = cart_for_request(request)
    if cart is None:
        messages.error(request, _("That item is no longer in your cart."))
        return redirect("orders:cart")
    try:
        line = cart_set_quantity(cart=cart, line_id=line_id, quantity=form.cleaned_data["quantity"])
    except CartError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Quantity updated.") if line else _("Removed from your cart."))
    return redirect("orders:cart")


# --- Checkout, payment, orders --------------------------------------------------------------


def _checkout_initial(request: HttpRequest, saved: list[Address]) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    profile = getattr(user, "customer_profile", None)
    mobile = (profile.mobile if profile else "") or (saved[0].mobile if saved else "")
    return {"mobile": mobile, "email": user.email}


@xframe_options_sameorigin  # the live room's buy sheet shows it in a frame
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    cart = cart_for_request(request)
    summary = cart_summary(cart=cart)
    if not summary.view.lines:
        messages.info(request, _("Your cart is empty."))
        return redirect("orders:cart")
    saved = list(Address.objects.filter(user=request.user)) if request.user.is_authenticated else []
    form = forms.CheckoutForm(
        request.POST if request.method == "POST" else None,
        needs_address=summary.needs_address, saved_addresses=saved, initial=_checkout_initial(request, saved),
    )
    if request.method == "POST" and form.is_valid():
        try:
            order = order_place(cart=cart, contact=form.contact(), user=request.user)
        except (CheckoutError, SoldOut) as error:
            form.add_error(None, str(error))
            summary = cart_summary(cart=cart)  # show today's problems next to the message
        else:
            session_order_remember(request, order.number)
            return redirect("orders:order-pay", number=order.number)
    return render(request, "orders/checkout.html", {
        "form": form, "summary": summary, "cart": summary.view, "hold_minutes": reservation_minutes(),
    })


def _pay_texts() -> dict[str, str]:
    """What checkout.js says, translated here so the script holds no text of its own."""
    return {
        "processing": _("Paying…"),
        "incomplete": _("Enter the card number, expiry month and year, and CVC."),
        "failed": _("The payment did not go through. Check the card details or try another card."),
        "network": _("We could not reach the payment service. Check your connection and try again."),
        "authFailed": _("The card's security check was not completed. Try again or use another card."),
        "number": _("Card number"),
        "exp_month": _("Expiry month (MM)"),
        "exp_year": _("Expiry year (YY)"),
        "cvc": _("Security code (CVC)"),
        "postal_code": _("Postal code"),
    }


@xframe_options_sameorigin  # the live room's buy sheet shows it in a frame
@require_GET
def order_pay(request: HttpRequest, number: str) -> HttpResponse:
    order = order_for_request(request, number=number)
    if order.status != OrderStatus.PENDING_PAYMENT:
        return redirect("orders:order-detail", number=order.number)
    payment, error = None, ""
    try:
        payment = payment_start(order=order)
    except PaymentError as refused:
        messages.error(request, str(refused))
        return redirect("orders:order-detail", number=order.number)
    except PaymentGatewayError as unreachable:
        logger.error("Could not start a payment for %s: %s", order.number, unreachable)
        error = _("Payment is unavailable just now. Your order and its stock are held; try again in a minute.")
    context = {
        "order": order,
        "payment": payment,
        "error": error,
        "stripe_js_url": _stripe_js_url(),
        "stripe_mode": "localstripe" if settings.STRIPE_API_BASE else "stripe",
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "return_url": request.build_absolute_uri(reverse("orders:order-detail", args=[order.number])),
        "pay_texts": _pay_texts(),
    }
    return render(request, "orders/pay.html", context, status=503 if error else 200)


def _pay_answer(status: str, error: str = "", *, client_secret: str = "", http_status: int = 200) -> JsonResponse:
    return JsonResponse({"status": status, "client_secret": client_secret, "error": error}, status=http_status)


@require_POST
def order_pay_confirm(request: HttpRequest, number: str) -> JsonResponse:
    """JSON: confirm the order's payment attempt with a card made in the browser (localstripe).

    The attempt is payment_start's: the open intent, or a fresh one after a declined card
    (a failed intent is never retried). Answers {status, client_secret, error}.
    """
    order = order_for_request(request, number=number)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        data = None
    form = forms.PayConfirmForm(data if isinstance(data, dict) else {})
    if not form.is_valid():
        return _pay_answer("invalid", _("Enter the card details again."), http_status=400)
    try:
        payment = payment_confirm_card(
            payment=payment_start(order=order), payment_method_id=form.cleaned_data["payment_method_id"]
        )
    except PaymentError as refused:
        return _pay_answer("refused", str(refused), http_status=409)
    except PaymentGatewayError as unreachable:
        logger.error("Could not confirm a payment of %s: %s", order.number, unreachable)
        return _pay_answer("unavailable", _("Payment is unavailable just now; try again in a minute."), http_status=502)
    if payment.status == PaymentStatus.FAILED:
        return _pay_answer(payment.status, _("The card was declined. Try another card."))
    if payment.status == PaymentStatus.REQUIRES_ACTION:
        return _pay_answer(payment.status, client_secret=payment.client_secret)
    return _pay_answer(payment.status)


@require_POST
def order_cancel_view(request: HttpRequest, number: str) -> HttpResponse:
    order = order_for_request(request, number=number)
    try:
        order_cancel(order=order, actor=request.user if request.user.is_authenticated else None)
    except OrderStateError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The order is cancelled and its stock released."))
    return redirect("orders:order-detail", number=order.number)


@xframe_options_sameorigin  # the live room's buy sheet shows it in a frame
@require_GET
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = order_for_request(request, number=number)
    labels = dict(OrderStatus.choices)
    history = [{"at": e.created_at, "status": labels.get(e.to_status, e.to_status)} for e in order.events.all()]
    return render(request, "orders/order_detail.html", {
        "order": order,
        "history": history,
        "pending": order.status == OrderStatus.PENDING_PAYMENT,
    })


@require_GET
def order_status(request: HttpRequest, number: str) -> JsonResponse:
    """JSON {status, paid}; while unpaid, asks Stripe now and then in case a webhook was missed."""
    order = order_for_request(request, number=number)
    throttle_key = f"orders:reconcile:{order.number}"
    if order.status == OrderStatus.PENDING_PAYMENT and cache.add(throttle_key, 1, RECONCILE_EVERY_SECONDS):
        # A payment not yet sent to Stripe is left to its own request or to the reconcile job.
        unsettled = order.payments.exclude(status__in=[PaymentStatus.SUCCEEDED, PaymentStatus.CANCELED])
        payment = unsettled.exclude(intent_id=None).first()
        if payment is not None:
            try:
                payment_reconcile(payment=payment)
            except PaymentGatewayError as unreachable:
                logger.warning("Could not reconcile %s: %s", payment.intent_id, unreachable)
            order.refresh_from_db(fields=["status", "paid_at"])
    return JsonResponse({"status": order.status, "paid": order.paid_at is not None})


# --- Account ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = forms.SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = customer_register(identifier=form.cleaned_data["identifier"], password=form.cleaned_data["password"])
        except ValidationError as refused:
            field = "identifier" if getattr(refused, "code", None) in {"taken", "identifier"} else "password"
            form.add_error(field, refused)
        else:
            login(request, user, backend="orders.buying.accounts.EmailOrMobileBackend")  # the cart moves in here
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "orders/signup.html", {"form": form, "next": next_url or ""})


class LoginView(auth_views.LoginView):
    template_name = "orders/login.html"
    authentication_form = forms.LoginForm
    redirect_authenticated_user = True


@login_required
@require_GET
def account_orders(request: HttpRequest) -> HttpResponse:
    orders = Order.objects.filter(user=request.user).prefetch_related("lines")
    page = Paginator(orders, ACCOUNT_ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "orders/account_orders.html", {"page_obj": page, "orders": page.object_list})


@login_required
@require_GET
def address_list(request: HttpRequest) -> HttpResponse:
    return render(request, "orders/address_list.html", {"addresses": Address.objects.filter(user=request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def address_edit(request: HttpRequest, address_id: int | None = None) -> HttpResponse:
    address = get_object_or_404(Address, pk=address_id, user=request.user) if address_id else None
    form = forms.AddressForm(request.POST if request.method == "POST" else None, instance=address)
    if request.method == "POST" and form.is_valid():
        addresses.address_save(user=request.user, address=form.save(commit=False))
        messages.success(request, _("Address saved."))
        return redirect("orders:addresses")
    return render(request, "orders/address_form.html", {"form": form, "address": address})


def _address_change(request: HttpRequest, change, address_id: int, done: str) -> HttpResponse:
    """Apply an address service to one of the user's addresses (404 for anyone else's)."""
    try:
        change(user=request.user, address_id=address_id)
    except Address.DoesNotExist:
        raise Http404
    messages.success(request, done)
    return redirect("orders:addresses")


@login_required
@require_POST
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    return _address_change(request, addresses.address_delete, address_id, _("Address deleted."))


@login_required
@require_POST
def address_default(request: HttpRequest, address_id: int) -> HttpResponse:
    return _address_change(request, addresses.address_set_default, address_id, _("Default address changed."))
