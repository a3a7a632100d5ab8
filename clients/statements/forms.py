"""Forms of the statement pages: the merchant's dispute, the agency's answer, billing terms, generating a month."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.statements.models import BillingTerms


class DisputeForm(forms.Form):
    line = forms.ChoiceField(label=_("争议项"))
    comment = forms.CharField(label=_("异议说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, lines: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = lines  # type: ignore[attr-defined]


class ReviseForm(forms.Form):
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    adjustment = forms.DecimalField(label=_("调整金额（元，可为负）"), required=False, max_digits=12, decimal_places=2)
    adjustment_note = forms.CharField(label=_("调整说明"), required=False, max_length=100)


class GenerateForm(forms.Form):
    month = forms.CharField(label=_("账期"), widget=forms.TextInput(attrs={"type": "month"}))

    def clean_month(self) -> str:
        value = self.cleaned_data["month"]
        try:
            year, month = (int(x) for x in value.split("-"))
            if not 1 <= month <= 12:
                raise ValueError
        except ValueError:
            raise forms.ValidationError(_("请选择月份，如 2026-11。")) from None
        return f"{year:04d}-{month:02d}-01"


class BillingTermsForm(forms.ModelForm):
    tiers = forms.CharField(
        label=_("按会话计费阶梯（JSON）"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('如 [{"up_to": 500, "unit_price": "0.90"}, {"up_to": null, "unit_price": "0.70"}]'),
    )

    class Meta:
        model = BillingTerms
        fields = ["commission_rate", "commission_minimum", "conversion_target", "conversion_value"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.session_tiers:
            self.fields["tiers"].initial = json.dumps(self.instance.session_tiers, ensure_ascii=False)

    def clean_tiers(self) -> list:
        text = (self.cleaned_data.get("tiers") or "").strip()
        if not text:
            return []
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("不是有效的 JSON：%(msg)s") % {"msg": exc.msg}) from None
        if not isinstance(value, list):
            raise forms.ValidationError(_("应为列表。"))
        return value
