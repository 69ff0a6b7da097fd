"""Each questionnaire records which parallel form of an instrument with forms it asks.

Existing questionnaires record none until they are next saved with their instruments: until
then they ask every item, as before (no built-in instrument the bank holds as current has forms
when this migration is written).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workspace", "0005_collection_instrument_versions"),
        ("organisations", "0003_organisation_jurisdiction"),
    ]

    operations = [
        migrations.AddField(
            model_name="collection",
            name="instrument_forms",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
