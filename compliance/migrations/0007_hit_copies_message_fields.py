"""Hits carry their message's shop, time, agent code and sender, and whether they are current, so that
violation lists and counts read the hits alone (see Hit)."""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = """
UPDATE compliance_hit SET
    shop_id = (SELECT m.shop_id FROM compliance_chatmessage m WHERE m.id = compliance_hit.message_id),
    sent_at = (SELECT m.sent_at FROM compliance_chatmessage m WHERE m.id = compliance_hit.message_id),
    agent_code = (SELECT m.agent_code FROM compliance_chatmessage m WHERE m.id = compliance_hit.message_id),
    from_buyer = (SELECT m.sender = 'buyer' FROM compliance_chatmessage m WHERE m.id = compliance_hit.message_id),
    current = (SELECT coalesce(m.scanned_ruleset_id = compliance_hit.ruleset_id, false)
                 FROM compliance_chatmessage m WHERE m.id = compliance_hit.message_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0001_initial"),
        ("compliance", "0006_partition_messages"),
    ]

    operations = [
        migrations.AddField(
            model_name="hit", name="shop",
            field=models.ForeignKey(
                db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="+", to="clients.shop", verbose_name="店铺",
            ),
        ),
        migrations.AddField(model_name="hit", name="sent_at", field=models.DateTimeField(null=True, verbose_name="发送时间")),
        migrations.AddField(
            model_name="hit", name="agent_code",
            field=models.CharField(blank=True, default="", max_length=32, verbose_name="客服工号"), preserve_default=False,
        ),
        migrations.AddField(model_name="hit", name="from_buyer", field=models.BooleanField(default=False, verbose_name="买家消息")),
        migrations.AddField(model_name="hit", name="current", field=models.BooleanField(default=True, verbose_name="当前结果")),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="hit", name="shop",
            field=models.ForeignKey(
                db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT,
                related_name="+", to="clients.shop", verbose_name="店铺",
            ),
        ),
        migrations.AlterField(model_name="hit", name="sent_at", field=models.DateTimeField(verbose_name="发送时间")),
        migrations.AddIndex(
            model_name="hit",
            index=models.Index(
                condition=models.Q(("current", True), ("from_buyer", False)),
                fields=["shop", "-sent_at", "-message"], name="hit_current_violations",
            ),
        ),
    ]
