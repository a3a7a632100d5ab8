"""Forms of the response metrics: a platform's SLA profile."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.models import Shop
from compliance.quality.metrics.models import QualityAlert, SlaProfile


class SlaProfileForm(forms.ModelForm):
    class Meta:
        model = SlaProfile
        fields = [
            "window_start", "window_end", "target_seconds", "holiday_window_start", "holiday_window_end",
            "reply_rate_target", "warning_low", "warning_high", "avg_response_target_seconds",
        ]
        widgets = {
            "window_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "window_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "holiday_window_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "holiday_window_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()  # a ModelForm's clean() returns self.cleaned_data
        data = self.cleaned_data
        low, high = data.get("warning_low"), data.get("warning_high")
        if (low is None) != (high is None):
            raise forms.ValidationError(_("预警区间的上下限须同时填写或同时留空。"))
        if low is not None and high is not None and low >= high:
            self.add_error("warning_high", _("预警区间上限须大于下限。"))
        if (data.get("holiday_window_start") is None) != (data.get("holiday_window_end") is None):
            raise forms.ValidationError(_("节假日窗口的开始和结束须同时填写或同时留空。"))
        if data.get("window_start") == data.get("window_end"):
            self.add_error("window_end", _("服务窗口的开始和结束不能相同。"))
        return data


class AlertFilterForm(forms.Form):
    """The alerts page's filters (GET). Bad values are shown as errors and the filter is left out."""

    STATUS_CHOICES = [("open", _("未确认")), ("acknowledged", _("已确认")), ("", _("全部"))]

    shop: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("店铺"), queryset=Shop.objects.none(), required=False, empty_label=_("全部店铺")
    )
    level = forms.ChoiceField(label=_("级别"), required=False, choices=[("", _("全部级别")), *QualityAlert.Level.choices])
    metric = forms.ChoiceField(label=_("指标"), required=False, choices=[("", _("全部指标")), *QualityAlert.Metric.choices])
    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_CHOICES, initial="open")
    day_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    day_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, shops: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = shops  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("day_from"), data.get("day_to")
        if start and end and start > end:
            self.add_error("day_to", _("截止日期不能早于起始日期。"))
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters only (an invalid field is dropped, its error shown)."""
        if not self.is_bound:
            return {"status": "open"}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: data[k] for k in self.fields if k in data and data[k] not in (None, "")} | (
            {"status": data.get("status", "")} if "status" in data else {"status": "open"}
        )
