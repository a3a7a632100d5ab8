"""Statement lines name themselves by code: every line of every statement's scenario gets the `label_code`
and `label_params` that `clients.statements.labels` renders in the reader's language (before, a line kept
only the Chinese label it was computed with, and pages showed that label to every reader).

Only the names are added: no figure, total, document or hash changes, and the issued PDF and XLSX stay as
they were issued. On PostgreSQL the trigger that freezes issued statements is paused for this one
conversion, in the migration's transaction, and restored before it commits.
"""

from django.db import migrations

DISPUTE_DEFAULTS = {"异议调整", "Dispute adjustment"}
SURGE_PREFIXES = ("大促临时席位 ", "Promotion surge seats ")


def label_code(line: dict, surges: list) -> tuple[str, dict] | None:
    """The label code and parameters of a line stored before lines had them; None when it cannot be told."""
    code, label = str(line.get("code", "")), str(line.get("label", ""))
    if line.get("manual"):
        return "dispute_adjustment", {"note": "" if label in DISPUTE_DEFAULTS else label}
    if code in ("commission", "sessions", "holiday"):
        return code, {}
    if code.startswith("seat-") and code.count("-") == 2:
        _seat, service_type, shift = code.split("-")
        return "seat", {"service_type": service_type, "shift": shift}
    if code.startswith("addon-"):
        return "addon", {"name": label}
    if code.startswith("surge-") and code[len("surge-"):].isdigit():
        index = int(code[len("surge-"):]) - 1
        if 0 <= index < len(surges) and isinstance(surges[index], dict) and surges[index].get("name") is not None:
            return "surge", {"name": surges[index]["name"]}
        for prefix in SURGE_PREFIXES:
            if label.startswith(prefix):
                return "surge", {"name": label[len(prefix):]}
        return None
    if code.startswith("amendment-"):
        return "amendment", {"number": code[len("amendment-"):]}
    if code.startswith("refund-adjustment-"):
        return "refund_adjustment", {"month": line.get("adjusts_month") or code[len("refund-adjustment-"):]}
    return None


def forward(apps, schema_editor):
    Statement = apps.get_model("clients", "Statement")
    postgres = schema_editor.connection.vendor == "postgresql"
    changed = []
    for statement in Statement.objects.select_related("contract__revision").only(
        "pk", "scenario", "contract__revision__surges"
    ).iterator():
        surges = list(statement.contract.revision.surges or []) if statement.contract.revision_id else []
        lines = statement.scenario.get("lines", []) if isinstance(statement.scenario, dict) else []
        touched = False
        for line in lines:
            if not isinstance(line, dict) or "label_code" in line:
                continue
            found = label_code(line, surges)
            if found is not None:
                line["label_code"], line["label_params"] = found
                touched = True
        if touched:
            changed.append(statement)
    if not changed:
        return
    with schema_editor.connection.cursor() as cursor:
        frozen = False
        if postgres:
            cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = 'clients_statement_frozen' AND NOT tgisinternal")
            frozen = cursor.fetchone() is not None
        if frozen:  # deferred checks run first: ALTER TABLE refuses while trigger events are pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE clients_statement DISABLE TRIGGER clients_statement_frozen")
        for statement in changed:
            Statement.objects.filter(pk=statement.pk).update(scenario=statement.scenario)
        if frozen:
            cursor.execute("ALTER TABLE clients_statement ENABLE TRIGGER clients_statement_frozen")


class Migration(migrations.Migration):
    dependencies = [("clients", "0010_merge_20261204_0009")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
