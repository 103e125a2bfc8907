from django.utils import timezone

from balai.celery_app import PlatformTask, app
from balai.onboarding.models import BulkOnboardingJob, BulkOnboardingStatus
from balai.onboarding.services import parse_bulk_csv, villages_onboard_bulk


@app.task(
    base=PlatformTask,
    name="balai.onboarding.onboard_villages_bulk",
    queue="platform",
    acks_late=True,
    time_limit=3600,
)
def onboard_villages_bulk(job_id: int) -> None:
    # Claim the job once: a redelivered task finds it no longer queued and stops.
    claimed = BulkOnboardingJob.objects.filter(
        pk=job_id, status=BulkOnboardingStatus.QUEUED
    ).update(status=BulkOnboardingStatus.RUNNING)
    job = BulkOnboardingJob.objects.get(pk=job_id)
    if not claimed and job.status != BulkOnboardingStatus.RUNNING:
        return
    rows = parse_bulk_csv(job.csv_text)

    def progress(done: int, total: int) -> None:
        BulkOnboardingJob.objects.filter(pk=job_id).update(done=done)

    # A redelivered job starts again from the first row: onboarding is idempotent, so rows
    # done before a crash report "exists" instead of being made twice.
    results = villages_onboard_bulk(rows=rows, actor=job.created_by, progress=progress)
    BulkOnboardingJob.objects.filter(pk=job_id).update(
        status=BulkOnboardingStatus.FINISHED,
        results=results,
        done=len(results),
        finished_at=timezone.now(),
    )
