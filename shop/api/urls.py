from django.urls import path

from shop.api import views

urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="api-product-list"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="api-product-detail"),
    path("categories/", views.CategoryListView.as_view(), name="api-category-list"),
    path("cooperatives/", views.CooperativeListView.as_view(), name="api-cooperative-list"),
    path("cooperatives/<str:slug>/", views.CooperativeDetailView.as_view(), name="api-cooperative-detail"),
    path("villages/", views.VillageListView.as_view(), name="api-village-list"),
    path("villages/<str:slug>/", views.VillageDetailView.as_view(), name="api-village-detail"),
]
