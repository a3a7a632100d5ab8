"""Forms of the engagement pages: the consultation, a stage change, a note with the next step."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.engagements.models import SERVICE_LANGUAGES, Engagement
from clients.merchants.models import Merchant, Shop


class ConsultationForm(forms.ModelForm):
    seasonal_peaks_text = forms.CharField(
        label=_("大促高峰"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个：名称,开始日期,结束日期,咨询量倍数，如 双11,2026-11-01,2026-11-12,3"),
    )

    languages = forms.MultipleChoiceField(
        label=_("服务语言"), choices=list(SERVICE_LANGUAGES.items()), widget=forms.CheckboxSelectMultiple,
        initial=["zh"],
    )

    class Meta:
        model = Engagement
        fields = ["merchant", "title", "shops", "daily_volume", "peak_hours", "peak_hour_share", "service_start",
                  "service_end", "presale_share", "languages", "avg_handle_seconds", "concurrency", "next_step",
                  "next_step_due"]
        widgets = {
            "next_step_due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "service_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "service_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "shops": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["shops"]).queryset = Shop.objects.select_related("merchant")
        cast(forms.ModelChoiceField, self.fields["merchant"]).queryset = Merchant.objects.all()
        self.fields["next_step"].required = True
        self.fields["next_step_due"].required = True
        if self.instance.pk:
            self.initial["languages"] = self.instance.language_list
            self.fields["merchant"].disabled = True
            self.initial["seasonal_peaks_text"] = "\n".join(
                f"{p['name']},{p['start']},{p['end']},{p['multiplier']:g}" for p in self.instance.seasonal_peaks or []
            )

    def clean_languages(self) -> str:
        return ",".join(self.cleaned_data["languages"])

    def clean_next_step_due(self):
        due = self.cleaned_data.get("next_step_due")
        if due is None or (self.instance.pk and due == self.instance.next_step_due):
            return due
        today = timezone.localdate()
        if due < today:
            raise forms.ValidationError(_("下一步的日期不能早于今天（%(today)s）") % {"today": f"{today:%Y-%m-%d}"})
        if due > today + timedelta(days=5 * 366):
            raise forms.ValidationError(_("下一步的日期应在五年之内"))
        return due

    def clean_seasonal_peaks_text(self) -> list[dict]:
        peaks = []
        for number, line in enumerate(self.cleaned_data["seasonal_peaks_text"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if len(parts) != 4:
                raise forms.ValidationError(_("第 %(n)d 行应为 名称,开始日期,结束日期,倍数") % {"n": number})
            peaks.append({"name": parts[0], "start": parts[1], "end": parts[2], "multiplier": parts[3]})
        return peaks

    def details(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name not in ("merchant", "shops")}
        data["seasonal_peaks"] = self.cleaned_data["seasonal_peaks_text"]
        return data


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("阶段"), choices=Engagement.Stage.choices)
    note = forms.CharField(label=_("说明"), required=False)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("记录"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_step = forms.CharField(label=_("下一步"), required=False)
    next_step_due = forms.DateField(label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
