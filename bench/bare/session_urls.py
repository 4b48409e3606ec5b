"""The logged-in bare project's one URL: "hello" for a logged-in user, else 403."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def hello(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse("log in first", status=403, content_type="text/plain")
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("", hello)]
