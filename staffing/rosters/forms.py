"""Forms for roster pages: create a roster."""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clients.models import Shop
from staffing.rosters.models import ShiftTemplate


class RosterForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    start_date = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("天数"), min_value=1, max_value=92, initial=28)
    shops = forms.ModelMultipleChoiceField(label=_("店铺"), queryset=Shop.objects.order_by("code"))
    templates = forms.ModelMultipleChoiceField(label=_("班次模板"), queryset=ShiftTemplate.objects.filter(active=True))
    min_rest_hours = forms.FloatField(label=_("最短休息（小时）"), initial=11, min_value=0, max_value=24)
    max_consecutive_days = forms.IntegerField(label=_("最多连续工作天数"), initial=6, min_value=1, max_value=31)
    max_hours_per_week = forms.FloatField(label=_("每周工时上限"), initial=44, min_value=1, max_value=168)
    min_coverage = forms.IntegerField(label=_("每店最低在岗人数"), initial=1, min_value=0, max_value=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        templates = cast("forms.ModelMultipleChoiceField[ShiftTemplate]", self.fields["templates"])
        if not cast("QuerySet[ShiftTemplate]", templates.queryset).exists():  # set in the declaration
            # Migrations ship the usual shifts; if all were switched off, say where to fix it instead of an empty list.
            self.fields["templates"].help_text = _("没有启用的班次模板：请先在管理后台添加或启用。")
