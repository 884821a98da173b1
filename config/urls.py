from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views
from orders.buying.webhooks import stripe_webhook

urlpatterns = [
    path("healthz/", cms_views.healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("shop.api.urls")),
    path("api/v1/", include("orders.buying.api.urls")),
    path("api/v1/", include("orders.accounting.api.urls")),
    path("api/v1/", include("orders.accounting.api.dashboard_urls")),
    path("api/v1/", include("livestream.api.urls")),
    path("api/v1/", include("search.api.urls")),
    path("gongfu/", include("orders.accounting.dashboard_urls")),
    path("producers/", include("shop.urls")),
    path("search/", include("search.urls")),
    path("stripe/webhook/", stripe_webhook, name="stripe-webhook"),
    path("", include("orders.buying.urls")),
    path("", include("livestream.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

urlpatterns += [path("", include(wagtail_urls))]
