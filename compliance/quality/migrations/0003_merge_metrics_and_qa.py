from django.db import migrations


class Migration(migrations.Migration):
    """Joins the two first halves of the quality app: response metrics and auto/manual QA."""

    dependencies = [
        ("quality", "0001_autoqa_manual_qa"),
        ("quality", "0002_default_sla_profiles"),
    ]

    operations: list = []
