"""API v1 for buying, included under /api/v1/ by config/urls.py."""

from django.urls import path

from orders.buying.api import views

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="api-cart"),
    path("cart/lines/", views.CartLineListView.as_view(), name="api-cart-lines"),
    path("cart/lines/<int:line_id>/", views.CartLineDetailView.as_view(), name="api-cart-line"),
    path("checkout/", views.CheckoutView.as_view(), name="api-checkout"),
    path("orders/", views.OrderListView.as_view(), name="api-order-list"),
    path("orders/<str:number>/", views.OrderDetailView.as_view(), name="api-order-detail"),
    path("orders/<str:number>/payment/", views.PaymentStartView.as_view(), name="api-order-payment"),
    path("orders/<str:number>/refunds/", views.OrderRefundView.as_view(), name="api-order-refunds"),
    path("orders/<str:number>/payment/confirm/", views.PaymentConfirmView.as_view(), name="api-order-payment-confirm"),
]
