"""Re-review of a signed intake whose result a rule change would change (issue #15)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from screening import access, audit, permissions
from screening.forms.followups import ReReviewCloseForm
from screening.services import rereview


@require_http_methods(["GET", "POST"])
def intake_rereview(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.REVIEW_INTAKE)
    form = ReReviewCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rereview.do_close_no_change(
                intake,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except rereview.ReReviewError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(request, "Recorded: reviewed, no change.")
            return redirect("screening:review-worklist")
    audit.record_for_intake(
        audit.Event.REVIEW_VIEWED,
        intake,
        request=request,
        target=intake,
        category="signoff",
    )
    context = {
        "intake": intake,
        "patient": intake.patient,
        "open": rereview.open_for_intake(intake),
        "closed": rereview.closed_for_intake(intake),
        "form": form,
    }
    status = 400 if form.errors else 200
    return render(request, "screening/rereviews/detail.html", context, status=status)
