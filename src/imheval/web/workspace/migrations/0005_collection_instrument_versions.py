"""Each questionnaire pins the version of every built-in instrument it asks.

Existing questionnaires are pinned to the version the bank holds as current when this migration
runs (read from the bank, not written here), which is the version they have been asking.
"""

from typing import Any

from django.db import migrations, models

from imheval.instruments.bank import builtin_ids, get_builtin


def pin_builtin_versions(apps: Any, schema_editor: Any) -> None:
    """Pin every questionnaire's unpinned built-in instruments to the bank's current version."""
    collection_model = apps.get_model("workspace", "Collection")
    current = {instrument_id: get_builtin(instrument_id).version for instrument_id in builtin_ids()}
    for collection in collection_model.objects.all().only(
        "pk", "instrument_refs", "instrument_versions"
    ):
        versions = dict(collection.instrument_versions or {})
        for ref in collection.instrument_refs or []:
            if ref in current and ref not in versions:
                versions[ref] = current[ref]
        if versions != (collection.instrument_versions or {}):
            collection.instrument_versions = versions
            collection.save(update_fields=["instrument_versions"])


class Migration(migrations.Migration):
    dependencies = [
        ("workspace", "0004_instrumentfile_lineage"),
    ]

    operations = [
        migrations.AddField(
            model_name="collection",
            name="instrument_versions",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(pin_builtin_versions, migrations.RunPython.noop),
    ]
