"""Login limits (django-axes, database handler) as the agency wants them.

- Per user and address: `AXES_FAILURE_LIMIT` failures of one username from one address lock that pair.
- Per address, across users: `AXES_ADDRESS_FAILURE_LIMIT` failures from one address, whatever the usernames
  (password spraying), lock the address. An office behind one NAT address shares this budget, so it is
  several times the per-user limit. A successful login clears only its own username's failures, never the
  address's: logging into one's own account must not reset a spray.
- A lockout runs `AXES_COOLOFF_TIME` from the failure that caused it: attempts during the lockout are refused
  and not recorded (`AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False`), so nobody can keep a user
  locked out by trying again and again.
- The locked answer is a 429 with `Retry-After` (seconds): JSON `{"detail": …}` under `/api/`, the lockout
  page elsewhere.
"""

from __future__ import annotations

import math
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

# The order of settings.AXES_LOCKOUT_PARAMETERS: the (username, address) pair, then the address alone.
PER_USER, PER_ADDRESS = 0, 1


class AgencyAxesHandler(AxesDatabaseHandler):
    def get_failures(self, request: Any, credentials: dict | None = None) -> int:
        """Failures on the per-user scale: the address's count reaching its own limit reads as reaching the
        per-user limit, so axes' single comparison holds both limits."""
        counts = [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        per_user, per_address = counts[PER_USER], counts[PER_ADDRESS]
        limit = get_failure_limit(request, credentials)
        return max(per_user, per_address * limit // settings.AXES_ADDRESS_FAILURE_LIMIT)

    def reset_user_attempts(self, request: Any, credentials: dict | None = None) -> int:
        """After a successful login: the username's failures from this address only."""
        count, _deleted = self.filter_user_attempts(request, credentials)[PER_USER].delete()
        return count


def retry_after_seconds(request: Any, credentials: dict | None = None) -> int:
    """Seconds until the lockout ends: the cool-off after the last recorded failure (failures during a lockout
    are not recorded, so this is the failure that locked)."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return 0
    handler = AgencyAxesHandler()
    times = [a.aggregate(t=Max("attempt_time"))["t"] for a in handler.get_user_attempts(request, credentials)]
    known = [t for t in times if t is not None]
    if not known:
        return int(cool_off.total_seconds())
    latest = max(known)
    return max(1, math.ceil((latest + cool_off - timezone.now()).total_seconds()))


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    seconds = retry_after_seconds(request, credentials)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": _("登录失败次数过多，已暂时锁定，请在 %(seconds)d 秒后再试。") % {"seconds": seconds}},
            status=429, json_dumps_params={"ensure_ascii": False},
        )
    else:
        minutes = max(1, math.ceil(seconds / 60))
        response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response
