"""Each organisation says where it works (default England), so its questionnaires use the
words of that jurisdiction (issue 13: services, numbers and guidance named per jurisdiction)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_invitations_and_password_resets"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="jurisdiction",
            field=models.CharField(
                choices=[
                    ("england", "England"),
                    ("wales", "Wales"),
                    ("scotland", "Scotland"),
                    ("northern_ireland", "Northern Ireland"),
                    ("ireland", "Ireland"),
                ],
                default="england",
                max_length=20,
            ),
        ),
    ]
