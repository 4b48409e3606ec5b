"""The intake/1 upload form: files or a folder, checked for type and size."""

from collections.abc import Iterable
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.files.uploadedfile import UploadedFile

from screening import permissions
from screening.models import Clinic
from screening.services.imports import MAX_FILE_BYTES, FileIssue

JSON_SUFFIX = ".json"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files; cleans to a list (empty when none)."""

    def __init__(self, *, attrs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


def importable_clinics(user: Any) -> list[Clinic]:
    """The user's clinics in which their role may import intakes, by name (from the
    memberships the request has read already: no query)."""
    clinics = [
        membership.clinic
        for membership in permissions.memberships_of(user).values()
        if permissions.can(user, permissions.IMPORT_INTAKE, clinic=membership.clinic)
    ]
    return sorted(clinics, key=lambda clinic: clinic.name)


class IntakeImportForm(forms.Form):
    clinic = forms.TypedChoiceField(
        coerce=int,
        help_text="The clinic whose patients the intakes belong to (matched by MRN).",
    )
    files = MultipleFileField(
        label="intake/1 JSON files",
        required=False,
        attrs={"accept": f"{JSON_SUFFIX},application/json"},
        help_text="Choose one or more .json files of at most 2 MB each.",
    )
    folder = MultipleFileField(
        label="Or a folder",
        required=False,
        attrs={"webkitdirectory": True},
        # Django refuses a request with more than DATA_UPLOAD_MAX_NUMBER_FILES (100).
        help_text=(
            "Every .json file in the folder is imported; others are skipped. At most "
            "100 files per upload: larger batches go through manage.py import_intakes."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clinics = importable_clinics(user)
        self._clinics = {clinic.pk: clinic for clinic in clinics}
        clinic_field: Any = self.fields["clinic"]
        clinic_field.choices = [(clinic.pk, clinic.name) for clinic in clinics]
        if len(clinics) == 1:
            clinic_field.widget = forms.HiddenInput()
            clinic_field.initial = clinics[0].pk
        # Which field each file came from, so a refusal is shown beside that field.
        self._origin: dict[str, str] = {}
        self.helper = FormHelper()
        self.helper.form_tag = False
        # A refused batch can list dozens of errors: one paragraph each, not one run.
        self.helper.error_text_inline = False
        self.helper.layout = Layout(
            Fieldset("Documents to import", "clinic", "files", "folder")
        )

    def clean_clinic(self) -> Clinic:
        # A clinic not in the choices was refused by the field already.
        return self._clinics[self.cleaned_data["clinic"]]

    def clean_files(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["files"]
        for upload in files:
            if not (upload.name or "").lower().endswith(JSON_SUFFIX):
                raise forms.ValidationError(
                    f"{upload.name} is not a .json file: choose intake/1 JSON files."
                )
        self._check_sizes(files)
        return files

    def clean_folder(self) -> list[UploadedFile]:
        # A folder may hold notes or exports of other kinds; only .json files are read.
        files = [
            upload
            for upload in self.cleaned_data["folder"]
            if (upload.name or "").lower().endswith(JSON_SUFFIX)
        ]
        if self.cleaned_data["folder"] and not files:
            raise forms.ValidationError(
                "The folder holds no .json files: choose the folder with the intakes."
            )
        self._check_sizes(files)
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not data.get("files") and not data.get("folder"):
            self.add_error(
                "files",
                "Choose one or more intake/1 JSON files, or a folder, to import.",
            )
        return data

    def uploaded_files(self) -> list[tuple[str, bytes]]:
        """The batch to import: (file name, content), in the order they were sent."""
        batch: list[tuple[str, bytes]] = []
        for field in ("files", "folder"):
            for upload in self.cleaned_data[field]:
                name = upload.name or "(unnamed file)"
                self._origin.setdefault(name, field)
                batch.append((name, upload.read()))
        return batch

    def add_import_errors(self, errors: Iterable[FileIssue]) -> None:
        """Show each refusal of the import beside the field its file came from."""
        for error in errors:
            field = self._origin.get(error.file_name, "files")
            self.add_error(field, f"{error.file_name} — {error.path}: {error.message}")

    def _check_sizes(self, files: list[UploadedFile]) -> None:
        too_big = [f for f in files if (f.size or 0) > MAX_FILE_BYTES]
        if too_big:
            raise forms.ValidationError(
                [
                    f"{f.name} is {(f.size or 0) / 1024 / 1024:.1f} MB: an intake/1 "
                    "file may be at most 2 MB. Check that it is the right file."
                    for f in too_big
                ]
            )
