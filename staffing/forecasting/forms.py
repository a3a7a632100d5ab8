"""Forms for forecasting pages (overrides, history upload, staffing parameters, promotions, seasonal plans)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.models import Shop
from staffing.forecasting.models import Promotion, StaffingProfile


class OverrideForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    slot = forms.TimeField(label=_("时段（留空=全天总量）"), required=False, widget=forms.TimeInput(attrs={"type": "time", "step": 1800}))
    volume = forms.FloatField(label=_("咨询量"), required=False, min_value=0)
    agents = forms.IntegerField(label=_("所需客服"), required=False, min_value=0)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class HistoryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("历史咨询量 CSV"),
        help_text=_("两列：<code>start</code>（时段开始，带时区）、<code>volume</code>（咨询量）"),
    )


class PromotionYearForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2020, max_value=2035)


class PlanForm(forms.Form):
    promotion = forms.ModelChoiceField(label=_("大促"), queryset=Promotion.objects.all())
    shops: forms.ModelMultipleChoiceField[Shop] = forms.ModelMultipleChoiceField(label=_("店铺"), queryset=None, widget=forms.CheckboxSelectMultiple)
    expected_orders = forms.IntegerField(label=_("每店预计订单数"), min_value=0, initial=20000)
    refund_rate = forms.FloatField(label=_("预计退款率"), min_value=0, max_value=1, initial=0.05)
    refunds_per_agent = forms.IntegerField(label=_("每人每日处理退款数"), min_value=1, initial=80)
    title = forms.CharField(label=_("名称"), required=False, max_length=200)

    def __init__(self, *args, shops=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["shops"]).queryset = shops


class StaffingProfileForm(forms.ModelForm):
    class Meta:
        model = StaffingProfile
        fields = ["aht_seconds", "answer_seconds", "service_level", "max_occupancy", "shrinkage", "concurrency",
                  "window_start", "window_end"]
        widgets = {"window_start": forms.TimeInput(attrs={"type": "time"}),
                   "window_end": forms.TimeInput(attrs={"type": "time"})}
