"""Writes on SLA profiles: a change is audited and the stored metrics are recomputed in the background."""

from __future__ import annotations

from django.db import transaction

from agency.models import User
from agency.services import audit_record
from compliance.quality.metric_models import SlaProfile

EDITABLE = (
    "window_start", "window_end", "target_seconds", "holiday_window_start", "holiday_window_end",
    "reply_rate_target", "warning_low", "warning_high", "avg_response_target_seconds",
)


@transaction.atomic
def sla_profile_update(*, profile: SlaProfile, data: dict, by: User) -> SlaProfile:
    before = {f: str(getattr(profile, f)) for f in EDITABLE}
    for name in EDITABLE:
        if name in data:
            setattr(profile, name, data[name])
    profile.updated_by = by
    profile.full_clean()
    profile.save()
    after = {f: str(getattr(profile, f)) for f in EDITABLE}
    audit_record(
        actor=by, verb="sla_profile_updated", target=profile,
        data={k: [before[k], after[k]] for k in EDITABLE if before[k] != after[k]},
    )

    def recompute() -> None:
        from compliance.quality.metric_tasks import metrics_recompute_all_task

        metrics_recompute_all_task.delay()

    transaction.on_commit(recompute)
    return profile
