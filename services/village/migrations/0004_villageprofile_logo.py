from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("village", "0003_profile_officials"),
    ]

    operations = [
        migrations.AddField(
            model_name="villageprofile",
            name="logo",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
    ]
