"""The platforms' default SLA profiles from domain.md; managers edit them afterwards."""

from django.db import migrations

from compliance.quality.metrics.definitions import DEFAULT_SLA, DEFAULT_THRESHOLDS


def create(apps, schema_editor):
    SlaProfile = apps.get_model("quality", "SlaProfile")
    for platform, sla in DEFAULT_SLA.items():
        SlaProfile.objects.get_or_create(
            platform=platform,
            defaults={
                "window_start": sla.window_start, "window_end": sla.window_end,
                "target_seconds": int(sla.target_seconds), **DEFAULT_THRESHOLDS[platform],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_metrics")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
