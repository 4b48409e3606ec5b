"""Background tasks (Django's tasks API through the django-tasks backport).

The worker is `manage.py db_worker` (django-tasks-db). A task killed mid-run stays
RUNNING there for ever, so a task only drives a job row that holds its own progress
(screening/services/rescreen.py), and `manage.py resume_rescreen_jobs` queues a stale
job again.
"""

from django_tasks import task

from screening.services import rescreen


@task()
def rescreen_job(job_id: int) -> dict[str, int]:
    """Run or resume one re-screen job; returns its counts (no PHI)."""
    job = rescreen.do_run_rescreen_job(job_id)
    return {"job": job.pk, "done": job.done, "screened": job.screened}
