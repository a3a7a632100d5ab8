"""Demo data for the agency app: the staff users. Loaded by `manage.py demo_data`.

Each app has a `demo.py` with `ORDER` (lower runs first) and `load(*, password, log)`; the command runs
them all in order. Every loader is idempotent: it looks rows up by their natural keys before creating.
"""

from __future__ import annotations

from collections.abc import Callable

from agency.models import Role, Team, User

ORDER = 10

AGENTS = [
    ("agent01", "a01", "王小雨"), ("agent02", "a02", "李晨"), ("agent03", "a03", "张悦"),
    ("agent04", "a04", "刘洋"), ("agent05", "a05", "陈静"), ("agent06", "a06", "杨帆"),
    ("agent07", "a07", "赵敏"), ("agent08", "a08", "黄磊"), ("agent09", "a09", "周婷"),
    ("agent10", "a10", "吴昊"), ("agent11", "a11", "徐佳"), ("agent12", "a12", "孙蕾"),
]


def ensure_user(*, username: str, password: str, role: str, display_name: str, **fields) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"role": role, "display_name": display_name, **fields}
    )
    if created or not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def load(*, password: str, log: Callable[[str], None]) -> None:
    manager = ensure_user(
        username="manager", password=password, role=Role.MANAGER, display_name="周经理", is_staff=True
    )
    ensure_user(username="inspector", password=password, role=Role.INSPECTOR, display_name="钱质检")
    team_a, _ = Team.objects.get_or_create(name="一组 · 拼多多/抖音", defaults={"lead": manager})
    team_b, _ = Team.objects.get_or_create(name="二组 · 淘宝/天猫/京东", defaults={"lead": manager})
    for index, (username, code, name) in enumerate(AGENTS):
        ensure_user(
            username=username, password=password, role=Role.AGENT, display_name=name, code=code,
            team=team_a if index % 2 == 0 else team_b,
        )
    log(f"agency: manager, inspector and {len(AGENTS)} agents")
