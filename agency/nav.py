from django.utils.translation import gettext_lazy as _

from agency.navigation import SETTINGS, NavItem, Todo, register_nav, register_todo
from agency.permissions import EVERYONE, MANAGERS, STAFF

register_nav(NavItem("dashboard", _("工作台"), "dashboard", EVERYONE, order=0))
register_nav(NavItem("jobs", _("后台任务"), "job-list", STAFF, order=900, group=SETTINGS,
                     also=("job-detail",)))
register_nav(NavItem("api-docs", _("API 文档"), "api-docs", MANAGERS, order=950, group=SETTINGS))


def _failed_jobs(request) -> int:
    """Background jobs that failed in the last seven days."""
    from datetime import timedelta

    from django.utils import timezone

    from agency.models import Job
    from agency.selectors import jobs_visible_to

    since = timezone.now() - timedelta(days=7)
    return jobs_visible_to(user=request.user).filter(status=Job.Status.FAILED, created_at__gte=since).count()


register_todo(Todo("failed-jobs", _("后台任务失败（近 7 天）"), "job-list", STAFF, _failed_jobs, order=90, tone="bad",
                   query="?status=failed"))
