"""Background jobs (django-tasks, database backend): the assessment run."""

from __future__ import annotations

from django_tasks import task


@task()
def run_assessment(run_id: int) -> dict:
    """Execute a queued run; safe to retry (the run's rows are rewritten, not added)."""
    from .actions import execute_run

    return execute_run(run_id).counts
