from django.db import migrations, models
from django.db.models.functions import Coalesce


def _from_known_times(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Rows that exist already were last saved no later than they were completed (or, for a
    # draft, started as far as we know): a draft left before this migration is treated as idle
    # since it started, never as saved just now, so it is held at once if it is old.
    Submission = apps.get_model("capture", "Submission")
    Submission._base_manager.update(saved_at=Coalesce("completed_at", "started_at"))


class Migration(migrations.Migration):
    dependencies = [("capture", "0003_started_index")]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="saved_at",
            field=models.DateTimeField(auto_now=True, help_text="When a step was last saved."),
        ),
        migrations.RunPython(_from_known_times, migrations.RunPython.noop),
    ]
