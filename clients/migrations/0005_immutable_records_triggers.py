"""On PostgreSQL, the database itself refuses to change what was offered or signed: quote revisions,
decisions, signatures and amendments can never be updated or deleted, and a contract's terms and PDF
are frozen once it is sent. The models refuse the same in Python; this also covers raw SQL and bugs."""

from django.db import migrations

TABLES = ["clients_quoterevision", "clients_quotedecision", "clients_contractsignature", "clients_contractamendment"]

FORWARD = """
CREATE OR REPLACE FUNCTION clients_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% rows are immutable (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION clients_contract_frozen() RETURNS trigger AS $$
BEGIN
  IF OLD.status <> 'draft' THEN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION 'contract % is sent or signed and cannot be deleted', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.pdf, NEW.pdf_sha256, NEW.seats, NEW.monthly_price, NEW.start_date, NEW.end_date, NEW.sla_reply_rate,
        NEW.sla_first_response_seconds, NEW.sla_qa_score, NEW.service_credit_pct, NEW.service_credit_cap_pct,
        NEW.confidentiality, NEW.revision_id, NEW.merchant_id, NEW.number)
       IS DISTINCT FROM
       (OLD.pdf, OLD.pdf_sha256, OLD.seats, OLD.monthly_price, OLD.start_date, OLD.end_date, OLD.sla_reply_rate,
        OLD.sla_first_response_seconds, OLD.sla_qa_score, OLD.service_credit_pct, OLD.service_credit_cap_pct,
        OLD.confidentiality, OLD.revision_id, OLD.merchant_id, OLD.number) THEN
      RAISE EXCEPTION 'contract % is sent or signed: its document and terms cannot change', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
""" + "".join(
    f"CREATE TRIGGER {t}_immutable BEFORE UPDATE OR DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION clients_refuse_change();\n"
    for t in TABLES
) + (
    "CREATE TRIGGER clients_contract_frozen BEFORE UPDATE OR DELETE ON clients_contract "
    "FOR EACH ROW EXECUTE FUNCTION clients_contract_frozen();\n"
)

BACKWARD = "".join(f"DROP TRIGGER IF EXISTS {t}_immutable ON {t};\n" for t in TABLES) + (
    "DROP TRIGGER IF EXISTS clients_contract_frozen ON clients_contract;\n"
    "DROP FUNCTION IF EXISTS clients_contract_frozen();\nDROP FUNCTION IF EXISTS clients_refuse_change();\n"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # no params: the '%' of RAISE stays as written
            cursor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("clients", "0004_handover")]
    operations = [migrations.RunPython(forward, backward)]
