"""Once a contract is sent, its buyer-data retention period is a term like the others: on PostgreSQL the
frozen-contract trigger (0005) refuses to change it too."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION clients_contract_frozen() RETURNS trigger AS $$
BEGIN
  IF OLD.status <> 'draft' THEN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION 'contract % is sent or signed and cannot be deleted', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.pdf, NEW.pdf_sha256, NEW.seats, NEW.monthly_price, NEW.start_date, NEW.end_date, NEW.sla_reply_rate,
        NEW.sla_first_response_seconds, NEW.sla_qa_score, NEW.service_credit_pct, NEW.service_credit_cap_pct,
        NEW.confidentiality, NEW.revision_id, NEW.merchant_id, NEW.number, NEW.buyer_data_retention_days)
       IS DISTINCT FROM
       (OLD.pdf, OLD.pdf_sha256, OLD.seats, OLD.monthly_price, OLD.start_date, OLD.end_date, OLD.sla_reply_rate,
        OLD.sla_first_response_seconds, OLD.sla_qa_score, OLD.service_credit_pct, OLD.service_credit_cap_pct,
        OLD.confidentiality, OLD.revision_id, OLD.merchant_id, OLD.number, OLD.buyer_data_retention_days) THEN
      RAISE EXCEPTION 'contract % is sent or signed: its document and terms cannot change', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
"""


# Back to the function of 0005 (the same, without the retention column).
BACKWARD = FORWARD.replace(", NEW.buyer_data_retention_days)", ")").replace(", OLD.buyer_data_retention_days)", ")")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # no params: the '%' of RAISE stays as written
            cursor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("clients", "0006_contract_buyer_data_retention")]
    operations = [migrations.RunPython(forward, backward)]
