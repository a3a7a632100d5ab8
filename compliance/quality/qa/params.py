"""The names of auto-QA check parameters in the reader's language.

A check's parameters are stored by their engine keys (`threshold_seconds`, `merge_gap_chars`, a severity map);
the settings form labels its fields with these names and the read-only view renders each stored setting as
"name value", so no page shows a key. A key this module does not know (a setting stored by an older version)
is shown as a code, in `<code>`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Field labels of the settings form (with how to fill them in).
PARAM_LABELS = {
    "phrases": _("关键词（每行一个）"),
    "threshold_seconds": _("超过多少秒算慢（秒）"),
    "similarity": _("相似度阈值（0–1）"),
    "min_length": _("最短字数"),
    "merge_gap_chars": _("同类命中相距几字内算一次"),
}
SEVERITY_PARAM_LABELS = {
    "info": _("提示扣分"), "warning": _("警告扣分"), "violation": _("违规扣分"), "severe": _("严重违规扣分"),
}
# Names of the settings when they are read, not filled in.
PARAM_NAMES = {
    "phrases": pgettext_lazy("自动质检", "关键词"),
    "threshold_seconds": _("超过多少秒算慢（秒）"),
    "similarity": _("相似度阈值"),
    "min_length": _("最短字数"),
    "merge_gap_chars": _("同类命中相距几字内算一次"),
    "by_severity": _("按严重程度扣分"),
}


def _figure(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def param_rows(params: Any) -> list[tuple[str, str, bool]]:
    """(name, value, known) per stored parameter: lists joined with 、, a severity map as "提示扣分 0、…".
    `known` is False for a key without a name here, which a page then shows as a code."""
    if not isinstance(params, dict):
        return []
    rows = []
    for key, value in params.items():
        if isinstance(value, list | tuple):
            text = "、".join(str(v) for v in value)
        elif isinstance(value, dict):
            text = "、".join(f"{SEVERITY_PARAM_LABELS.get(k, k)} {_figure(v)}" for k, v in value.items())
        else:
            text = _figure(value)
        name = PARAM_NAMES.get(key)
        rows.append((str(name) if name is not None else key, text, name is not None))
    return rows
