"""The agency's usual shifts on a fresh database (early, middle, late, and a night shift past midnight).

Managers change or add templates afterwards; a page never creates them on view. A database that already
has any template keeps exactly what it has (a manager may have removed these on purpose)."""

from datetime import time

from django.db import migrations

DEFAULTS = [
    ("E", "早班", time(8, 0), time(16, 0)),
    ("M", "中班", time(11, 0), time(19, 0)),
    ("L", "晚班", time(15, 0), time(23, 0)),
    ("N", "夜班", time(18, 0), time(2, 0)),
]


def add_defaults(apps, schema_editor):
    ShiftTemplate = apps.get_model("staffing", "ShiftTemplate")
    if ShiftTemplate.objects.exists():
        return
    for code, name, start, end in DEFAULTS:
        ShiftTemplate.objects.get_or_create(code=code, defaults={"name": name, "start": start, "end": end})


class Migration(migrations.Migration):
    dependencies = [("staffing", "0003_merge_0002_forecasts_training_plans_0002_rosters")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
