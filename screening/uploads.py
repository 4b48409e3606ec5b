"""A bound on the request body of every upload (#13 F5).

Django bounds a request's form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not its files:
they stream to memory or a temporary file whatever their size, before the view's form
can look at them. BoundedUploadHandler, first of FILE_UPLOAD_HANDLERS, skips every file
of a request whose body is larger than MAX_UPLOAD_BYTES (the fields, the CSRF token
among them, are still read), and marks the request, so an upload page shows a clear
message beside its file field instead of a 500 or a bare 400.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

_REFUSED_FLAG = "upload_too_large"


def max_upload_bytes() -> int:
    return int(settings.MAX_UPLOAD_BYTES)


def too_large_message() -> str:
    megabytes = f"{max_upload_bytes() / 1024 / 1024:.2f}".rstrip("0").rstrip(".")
    return (
        f"This upload is larger than {megabytes} MB, so none of it was read. Choose "
        "fewer or smaller files and send them again."
    )


def upload_too_large(request: HttpRequest) -> bool:
    """Whether the request's files were skipped for its size (reads the body)."""
    request.FILES  # noqa: B018 - parses the body, which sets the flag
    return bool(getattr(request, _REFUSED_FLAG, False))


def refuse(form: forms.Form, field: str) -> None:
    """Show, beside `field` of an unbound form, why the upload was not read."""
    form.cleaned_data = {}  # add_error() of an unbound form needs one
    form.add_error(field, too_large_message())


class BoundedUploadHandler(FileUploadHandler):
    """Skip the files of a request whose body is over MAX_UPLOAD_BYTES."""

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 - Django's parameter name
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> None:
        self.refused = content_length > max_upload_bytes()
        if self.refused and self.request is not None:
            setattr(self.request, _REFUSED_FLAG, True)

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        if self.refused:
            raise SkipFile
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data  # the next handler stores it

    def file_complete(self, file_size: int) -> None:
        return None
