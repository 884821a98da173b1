from django.contrib.auth import views as auth_views
from django.urls import path

from orders.buying import views

app_name = "orders"

urlpatterns = [
    path("cart/", views.cart_detail, name="cart"),
    path("cart/add/", views.cart_add_view, name="cart-add"),
    path("cart/lines/<int:line_id>/", views.cart_line_update, name="cart-line"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/<str:number>/", views.order_detail, name="order-detail"),
    path("orders/<str:number>/status.json", views.order_status, name="order-status"),
    path("orders/<str:number>/pay/", views.order_pay, name="order-pay"),
    path("orders/<str:number>/pay/confirm/", views.order_pay_confirm, name="order-pay-confirm"),
    path("orders/<str:number>/cancel/", views.order_cancel_view, name="order-cancel"),
    path("account/signup/", views.signup, name="signup"),
    path("account/login/", views.LoginView.as_view(), name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path("account/orders/", views.account_orders, name="account-orders"),
    path("account/addresses/", views.address_list, name="addresses"),
    path("account/addresses/new/", views.address_edit, name="address-add"),
    path("account/addresses/<int:address_id>/", views.address_edit, name="address-edit"),
    path("account/addresses/<int:address_id>/delete/", views.address_delete, name="address-delete"),
    path("account/addresses/<int:address_id>/default/", views.address_default, name="address-default"),
]
