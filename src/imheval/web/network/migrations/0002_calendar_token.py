"""A network group's calendar subscribe address is found by a random token the group's editors
can replace (the old address then stops working), instead of a signature of the group's
number with the site key, which could not be revoked. Existing groups get a token each."""

from typing import Any

from django.db import migrations, models

import imheval.web.network.models


def fill_tokens(apps: Any, schema_editor: Any) -> None:
    group_model = apps.get_model("network", "NetworkGroup")
    for group in group_model.objects.filter(calendar_token__isnull=True).only("pk"):
        group.calendar_token = imheval.web.network.models.new_calendar_token()
        group.save(update_fields=["calendar_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="networkgroup",
            name="calendar_token",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="networkgroup",
            name="calendar_token",
            field=models.CharField(
                default=imheval.web.network.models.new_calendar_token,
                editable=False,
                max_length=64,
                unique=True,
            ),
        ),
        migrations.AddField(
            model_name="networkgroup",
            name="calendar_token_replaced_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
