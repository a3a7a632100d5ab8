"""Forms for leave requests, preferences and entitlements."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agency.models import Role, User
from staffing.rosters.models import Leave, ShiftTemplate

WEEKDAYS = [(0, _("周一")), (1, _("周二")), (2, _("周三")), (3, _("周四")), (4, _("周五")), (5, _("周六")), (6, _("周日"))]


class LeaveRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Leave.Kind.choices)
    first_day = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("事由"), max_length=200, required=False)


class PreferenceForm(forms.Form):
    prefer_shifts = forms.MultipleChoiceField(label=_("想上的班次"), required=False, widget=forms.CheckboxSelectMultiple)
    avoid_shifts = forms.MultipleChoiceField(label=_("不想上的班次"), required=False, widget=forms.CheckboxSelectMultiple)
    preferred_weekdays = forms.TypedMultipleChoiceField(
        label=_("想上班的星期"), choices=WEEKDAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    unwanted_weekdays = forms.TypedMultipleChoiceField(
        label=_("希望休息的星期"), choices=WEEKDAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(t.code, str(t)) for t in ShiftTemplate.objects.filter(active=True, current=True)]
        cast(forms.MultipleChoiceField, self.fields["prefer_shifts"]).choices = choices
        cast(forms.MultipleChoiceField, self.fields["avoid_shifts"]).choices = choices


class BalanceForm(forms.Form):
    agent = forms.ModelChoiceField(label=_("客服"), queryset=User.objects.filter(role=Role.AGENT, is_active=True).order_by("code"))
    kind = forms.ChoiceField(label=_("类型"), choices=Leave.Kind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    days = forms.DecimalField(label=_("额度（天）"), min_value=0, max_digits=5, decimal_places=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
