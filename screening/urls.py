"""URLs of the clinic UI. URLs carry <int:pk>, never PHI."""

from django.urls import path

from screening.views import home

app_name = "screening"

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.health, name="health"),
]
