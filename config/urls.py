"""Root URLconf: the clinic UI, authentication and the superuser-only admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

urlpatterns = [
    path(
        "login/",
        login_not_required(
            auth_views.LoginView.as_view(redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("screening.urls")),
]

handler400 = "screening.views.errors.bad_request"
handler403 = "screening.views.errors.permission_denied"
handler404 = "screening.views.errors.page_not_found"
handler500 = "screening.views.errors.server_error"
