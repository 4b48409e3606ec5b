"""Root URLconf: the clinic UI, authentication and the superuser-only admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from screening.forms.accounts import AdminLoginForm
from screening.views import accounts

# /admin/ asks for a verified TOTP code on its own login form (security.md §2.1),
# which never sends the typed password back.
admin.site.__class__ = OTPAdminSite
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path(
        "login/",
        login_not_required(
            auth_views.LoginView.as_view(redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("logout/", accounts.logout_view, name="logout"),
    path("account/2fa/setup/", accounts.mfa_enrol, name="accounts-mfa-enrol"),
    path("account/2fa/code/", accounts.mfa_verify, name="accounts-mfa-verify"),
    path(
        "account/recovery-codes/",
        accounts.recovery_codes,
        name="accounts-recovery-codes",
    ),
    path("account/password/", accounts.password_change, name="accounts-password"),
    path("admin/", admin.site.urls),
    # The patient's pages on the clinic tablet (issue #17).
    path("p/", include("screening.tablet_urls")),
    path("", include("screening.urls")),
]

handler400 = "screening.views.errors.bad_request"
handler403 = "screening.views.errors.permission_denied"
handler404 = "screening.views.errors.page_not_found"
handler500 = "screening.views.errors.server_error"
