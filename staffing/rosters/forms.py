"""Forms for roster pages: create a roster; edit the shift templates and the default rules."""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clients.models import Shop
from staffing.rosters.models import RosterRules, ShiftTemplate


class RosterForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    start_date = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("天数"), min_value=1, max_value=92, initial=28)
    shops = forms.ModelMultipleChoiceField(label=_("店铺"), queryset=Shop.objects.order_by("code"))
    templates = forms.ModelMultipleChoiceField(label=_("班次模板"), queryset=ShiftTemplate.objects.filter(active=True, current=True))
    min_rest_hours = forms.FloatField(label=_("最短休息（小时）"), initial=11, min_value=0, max_value=24)
    max_consecutive_days = forms.IntegerField(label=_("最多连续工作天数"), initial=6, min_value=1, max_value=13)
    max_hours_per_week = forms.FloatField(label=_("每周工时上限"), initial=44, min_value=1, max_value=84)
    min_coverage = forms.IntegerField(label=_("每店最低在岗人数"), initial=1, min_value=0, max_value=50)

    def __init__(self, *args, rules: RosterRules | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if rules is not None:  # the current default rules, which the manager may change for this roster
            for name in ("min_rest_hours", "max_consecutive_days", "max_hours_per_week", "min_coverage"):
                self.fields[name].initial = getattr(rules, name)
        templates = cast("forms.ModelMultipleChoiceField[ShiftTemplate]", self.fields["templates"])
        if not cast("QuerySet[ShiftTemplate]", templates.queryset).exists():  # set in the declaration
            # Migrations ship the usual shifts; if all were switched off, say where to fix it instead of an empty list.
            self.fields["templates"].help_text = _("没有启用的班次模板：请先在“班次与规则”页添加或启用。")


class RulesForm(forms.Form):
    """The default rules of rosters made from now on (each change makes a new version)."""

    min_rest_hours = forms.FloatField(label=_("最短休息（小时）"), min_value=0, max_value=24)
    max_consecutive_days = forms.IntegerField(label=_("最多连续工作天数"), min_value=1, max_value=13)
    max_hours_per_week = forms.FloatField(label=_("每周工时上限"), min_value=1, max_value=84)
    min_coverage = forms.IntegerField(label=_("每店最低在岗人数"), min_value=0, max_value=50)


class ShiftTemplateForm(forms.Form):
    code = forms.CharField(label=_("编码"), max_length=16, help_text=_("字母、数字、- 或 _；创建后不能修改"))
    name = forms.CharField(label=_("名称"), max_length=50)
    start = forms.TimeField(label=_("开始"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("结束"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                          help_text=_("早于或等于开始时间表示次日结束"))
    active = forms.BooleanField(label=_("启用"), required=False, initial=True,
                                help_text=_("停用后新排班表不再使用它；已有排班表不受影响"))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].required = False
