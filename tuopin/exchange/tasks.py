"""Background jobs of the exchange app (django-tasks): validation and commit of large files, and
department cross-checks uploaded through the API.

Progress is written beside the staged file (see ``actions.set_progress``) so the batch page can show it
while the commit's transaction is still open. ``language`` is the interface language of the clerk who
started the job: the problems and refusals it stores are written in it (the worker's default otherwise).
"""

from __future__ import annotations

import contextlib

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation
from django_tasks import task

from . import actions, crosscheck
from .models import CrossCheckRun, ImportBatch


@task()
def validate_import(batch_id: int, user_id: int, language: str = "") -> None:
    """Parse and check a staged file."""
    user = get_user_model().objects.get(pk=user_id)
    with translation.override(language or None):
        actions.validate_batch(ImportBatch.objects.get(pk=batch_id), actor=user)


@task()
def commit_import(batch_id: int, user_id: int, mode: str, language: str = "") -> None:
    """Commit a validated batch; a refusal is recorded on the batch (status and message)."""
    user = get_user_model().objects.get(pk=user_id)
    with translation.override(language or None), contextlib.suppress(ValidationError):
        # commit_batch stores the reason on the batch for the page
        actions.commit_batch(ImportBatch.objects.get(pk=batch_id), actor=user, mode=mode)


@task()
def crosscheck_department(run_id: int, user_id: int, language: str = "") -> None:
    """Match a queued department list; a refusal is recorded on the run (status and message)."""
    user = get_user_model().objects.get(pk=user_id)
    with translation.override(language or None):
        crosscheck.execute_queued(CrossCheckRun.objects.get(pk=run_id), actor=user)
