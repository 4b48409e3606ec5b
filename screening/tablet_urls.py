"""URLs of the patient's pages on the clinic tablet (`/p/`): no id of any record,
no code; patient mode reaches these and nothing else."""

from django.urls import path

from screening.views import tablet

app_name = "tablet"

urlpatterns = [
    path("", tablet.tablet_entry, name="entry"),
    path("consent/", tablet.tablet_consent, name="consent"),
    path("q/<int:number>/", tablet.tablet_question, name="question"),
    path("check/", tablet.tablet_check, name="check"),
    path("done/", tablet.tablet_done, name="done"),
]
