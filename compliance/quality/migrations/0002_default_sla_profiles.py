"""The platforms' default SLA profiles from domain.md; managers edit them afterwards."""

from datetime import time

from django.db import migrations

DEFAULTS = {
    # platform: (window start, end, target s, reply-rate target, warning band, avg-response target s)
    "pdd": (time(8), time(23), 180, 0.5, (0.5, 0.9), None),
    "douyin": (time(8), time(23), 180, 0.5, (0.5, 0.9), None),
    "jd": (time(9), time(23), 30, 0.8, (None, None), 40),
    "taobao": (time(8), time(23), 180, 0.8, (None, None), None),
    "tmall": (time(8), time(23), 180, 0.8, (None, None), None),
}


def create(apps, schema_editor):
    SlaProfile = apps.get_model("quality", "SlaProfile")
    for platform, (start, end, target, rate, (low, high), avg) in DEFAULTS.items():
        SlaProfile.objects.get_or_create(
            platform=platform,
            defaults={
                "window_start": start, "window_end": end, "target_seconds": target, "reply_rate_target": rate,
                "warning_low": low, "warning_high": high, "avg_response_target_seconds": avg,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_metrics")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
