"""Consent (#18): the clinic admin's consent documents, and staff recording a
patient's consent for an intake."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from screening import access, audit, permissions
from screening.forms.consent import ConsentDocumentForm, ConsentRecordForm
from screening.models import ConsentDocument, PublishedConsentDocumentError
from screening.services import consent


@require_http_methods(["GET", "POST"])
def consent_documents(request: HttpRequest) -> HttpResponse:
    clinic = access.get_clinic_for_user(request, action=permissions.MANAGE_CLINIC)
    form = ConsentDocumentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            document = consent.do_create_consent_document(
                clinic, **form.cleaned_data, by=request.user
            )
        except consent.ConsentError as error:
            form.add_error("version", str(error))
        else:
            messages.success(request, "Draft saved. Read it through, then publish it.")
            return redirect("screening:consent-document", pk=document.pk)
    documents = ConsentDocument.objects.filter(clinic=clinic)
    context = {"clinic": clinic, "documents": documents, "form": form}
    return render(request, "screening/consent/documents.html", context)


@require_http_methods(["GET", "POST"])
def consent_document(request: HttpRequest, pk: int) -> HttpResponse:
    document = access.get_consent_document_for_user(
        request, pk, action=permissions.MANAGE_CLINIC
    )
    initial = {
        "title": document.title,
        "version": document.version,
        "effective_on": document.effective_on,
        "text": document.text,
    }
    posted = request.POST if request.method == "POST" else None
    form = ConsentDocumentForm(posted, initial=initial)
    if posted is not None and form.is_valid():
        try:
            consent.do_update_consent_document(
                document, **form.cleaned_data, by=request.user
            )
        except PublishedConsentDocumentError as error:
            form.add_error(None, str(error))
        except consent.ConsentError as error:
            form.add_error("version", str(error))
        else:
            messages.success(request, "Draft saved.")
            return redirect("screening:consent-document", pk=document.pk)
    context = {"document": document, "form": form}
    return render(request, "screening/consent/document.html", context)


@require_POST
def consent_document_publish(request: HttpRequest, pk: int) -> HttpResponse:
    document = access.get_consent_document_for_user(
        request, pk, action=permissions.MANAGE_CLINIC
    )
    try:
        consent.do_publish_consent_document(document, by=request.user)
    except PublishedConsentDocumentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Published. Staff can now record consent to it.")
    return redirect("screening:consent-document", pk=document.pk)


@require_http_methods(["GET", "POST"])
def intake_consent(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.EDIT_INTAKE)
    documents = consent.list_published(intake.clinic)
    posted = request.POST if request.method == "POST" else None
    form = ConsentRecordForm(posted, documents=documents)
    if intake.is_signed:
        form.add_error(None, "This intake is signed: consent goes with a new intake.")
    elif posted is not None and form.is_valid():
        try:
            consent.do_record_consent(intake, **form.cleaned_data, by=request.user)
        except consent.ConsentError as error:
            form.add_error("document", str(error))
        else:
            messages.success(request, "Consent recorded.")
            return redirect("screening:intake-detail", pk=intake.pk)
    # The page names the patient: a read (#13 F2).
    audit.record_patients_shown(request, [intake.patient], page="intake_consent")
    context = {
        "intake": intake,
        "patient": intake.patient,
        "form": form,
        "documents": documents,
        "records": intake.consents.select_related("document", "recorded_by"),
    }
    return render(request, "screening/consent/record.html", context)
