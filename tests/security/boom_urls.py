"""The app's URLconf plus a view that fails, for the error-page and canary tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST


@require_POST
def boom(request: HttpRequest) -> HttpResponse:
    # A careless exception message quoting what was posted, as real bugs do.
    raise ValueError(f"could not handle {request.POST.get('note', '')!r}")


urlpatterns = [
    path("boom/", boom, name="boom"),
    path("", include("config.urls")),
]
handler400 = "screening.views.errors.bad_request"
handler403 = "screening.views.errors.permission_denied"
handler404 = "screening.views.errors.page_not_found"
handler500 = "screening.views.errors.server_error"
