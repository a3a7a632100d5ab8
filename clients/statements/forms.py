"""Forms of the statement pages: the merchant's dispute, the agency's answer, billing terms, generating a month."""

from __future__ import annotations

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


TIER_ROWS = 4  # empty rows offered beyond the stored tiers' count is max(TIER_ROWS, stored + 1)


class BillingTermsForm(forms.ModelForm):
    """Billing terms with the session tiers as rows of (up to how many sessions, unit price), never JSON:
    every tier but the last has a ceiling above the one before, the last has none."""

    class Meta:
        model = BillingTerms
        fields = ["commission_rate", "commission_minimum", "conversion_target", "conversion_value"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = list(self.instance.session_tiers or []) if self.instance else []
        self.tier_count = max(TIER_ROWS, len(stored) + 1)
        for index in range(self.tier_count):
            tier = stored[index] if index < len(stored) and isinstance(stored[index], dict) else {}
            up_to_label = _("第 %(n)s 档：会话数上限") % {"n": index + 1}
            price_label = _("第 %(n)s 档：每会话单价（元）") % {"n": index + 1}
            self.fields[f"tier_{index}_up_to"] = forms.IntegerField(
                label=up_to_label, required=False, min_value=1, max_value=100_000_000, initial=tier.get("up_to"),
                widget=forms.NumberInput(attrs={"aria-label": up_to_label}))
            self.fields[f"tier_{index}_unit_price"] = forms.DecimalField(
                label=price_label, required=False, min_value=0, max_digits=10, decimal_places=4,
                initial=tier.get("unit_price"), widget=forms.NumberInput(attrs={"aria-label": price_label, "step": "any"}))

    def main_fields(self) -> list:
        return [self[name] for name in self.Meta.fields]

    def tier_rows(self) -> list[tuple[int, Any, Any]]:
        return [(index + 1, self[f"tier_{index}_up_to"], self[f"tier_{index}_unit_price"])
                for index in range(self.tier_count)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rows = [(index, data.get(f"tier_{index}_up_to"), data.get(f"tier_{index}_unit_price"))
                for index in range(self.tier_count)]
        filled = [row for row in rows if row[1] is not None or row[2] is not None]
        tiers: list[dict[str, Any]] = []
        previous: int | None = None
        for position, (index, up_to, price) in enumerate(filled):
            last = position == len(filled) - 1
            if price is None:
                self.add_error(f"tier_{index}_unit_price", _("请填写这一档的单价。"))
            if last and up_to is not None:
                self.add_error(f"tier_{index}_up_to", _("最后一档不设上限：请留空。"))
            elif not last and up_to is None:
                self.add_error(f"tier_{index}_up_to", _("只有最后一档可以不设上限。"))
            elif up_to is not None and previous is not None and up_to <= previous:
                self.add_error(f"tier_{index}_up_to", _("上限应大于上一档的 %(n)s。") % {"n": previous})
            if up_to is not None:
                previous = up_to
            tiers.append({"up_to": up_to, "unit_price": None if price is None else f"{price.normalize():f}"})
        data["tiers"] = tiers
        return data
