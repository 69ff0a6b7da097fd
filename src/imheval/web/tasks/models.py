"""A job a person started and waits for: a report being written, a large file being checked.

The queue itself is django-tasks' database backend (its ``DBTaskResult`` rows); a :class:`Job`
is what the person's progress page reads. It belongs to one organisation (reached through
``Job.objects.in_organisation`` like every owned object, so another organisation's member gets
404) and to the member who started it, and it keeps what the page needs: the state, a plain
problem if it failed (never a traceback), the file it made or the page it leads to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from imheval.web.organisations.models import Organisation, scoped_manager


class JobState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class JobKind(models.TextChoices):
    REPORT = "report", "Report"
    IMPORT = "import", "Import check"


class Job(models.Model):
    """One piece of background work for a member of an organisation (see module)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=JobKind.choices)
    title = models.CharField(max_length=300)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    #: What the job was given: the scope and format of a report, the cohort of an import.
    params = models.JSONField(default=dict)
    #: An uploaded file waiting to be checked (cleared when the check ends).
    upload = models.BinaryField(null=True, blank=True)
    #: The plain reason a job failed, and an import's problems (file, row, column, message).
    problem = models.TextField(blank=True)
    problems = models.JSONField(default=list)
    hidden_problems = models.PositiveIntegerField(default=0)
    #: A report job's file.
    output = models.BinaryField(null=True, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    #: Where a finished job leads (an import's preview), and where its page links back to.
    next_url = models.CharField(max_length=500, blank=True)
    back_url = models.CharField(max_length=500, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = scoped_manager("organisation")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"job {self.pk}: {self.title}"

    @property
    def finished(self) -> bool:
        return self.state in {JobState.DONE, JobState.FAILED}
