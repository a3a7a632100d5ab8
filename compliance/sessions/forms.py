"""Forms of the compliance pages: list filters and the import upload."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from compliance.rules.models import Category, Severity
from compliance.sessions.selectors import (
    SEARCH_WINDOW_DAYS,
    SessionFilter,
    ViolationFilter,
    agent_codes_visible_to,
    shops_with_sessions_visible_to,
)
from compliance.sessions.sessionfile import FORMATS


class _ScopedChoices(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        shops = list(shops_with_sessions_visible_to(user=user).values_list("code", "name"))
        cast(forms.ChoiceField, self.fields["shop"]).choices = [("", _("全部店铺")), *shops]
        if "agent" in self.fields:
            cast(forms.ChoiceField, self.fields["agent"]).choices = [("", _("全部客服")), *((c, c) for c in agent_codes_visible_to(user=user))]


class SessionFilterForm(_ScopedChoices):
    shop = forms.ChoiceField(label=_("店铺"), required=False)
    agent = forms.ChoiceField(label=_("客服"), required=False)
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    with_hits = forms.BooleanField(label=_("仅含命中"), required=False)

    def filters(self) -> SessionFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return SessionFilter(
            shop=data.get("shop") or "", agent=data.get("agent") or "", date_from=data.get("date_from"),
            date_to=data.get("date_to"), q=(data.get("q") or "").strip(), with_hits=bool(data.get("with_hits")),
            search_days=SEARCH_WINDOW_DAYS,
        )


class ViolationFilterForm(_ScopedChoices):
    shop = forms.ChoiceField(label=_("店铺"), required=False)
    agent = forms.ChoiceField(label=_("客服"), required=False)
    category = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部类别")), *Category.choices])
    severity = forms.ChoiceField(label=_("严重程度"), required=False, choices=[("", _("全部")), *Severity.choices])
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> ViolationFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return ViolationFilter(
            shop=data.get("shop") or "", agent=data.get("agent") or "", category=data.get("category") or "",
            severity=data.get("severity") or "", date_from=data.get("date_from"), date_to=data.get("date_to"),
        )


class ImportForm(_ScopedChoices):
    shop = forms.ChoiceField(label=_("店铺"))
    format = forms.ChoiceField(
        label=_("格式"), required=False, choices=[("", _("按文件扩展名")), *((f, f.upper()) for f in FORMATS)]
    )
    file = forms.FileField(label=_("文件"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        shop = cast(forms.ChoiceField, self.fields["shop"])
        shop.choices = cast(list, shop.choices)[1:]  # the list set above, without its "all shops" entry
