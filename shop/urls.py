from django.urls import path

from shop import views

app_name = "shop"

urlpatterns = [
    path("", views.producer_directory, name="producers"),
    path("cooperatives/<str:slug>/", views.cooperative_detail, name="cooperative"),
    path("villages/<str:slug>/", views.village_detail, name="village"),
    path("workshops/<str:slug>/", views.workshop_detail, name="workshop"),
]
