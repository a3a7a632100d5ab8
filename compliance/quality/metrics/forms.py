"""Forms of the response metrics: a platform's SLA profile."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compliance.quality.metrics.models import SlaProfile


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
