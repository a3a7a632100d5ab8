"""The pre-send check's form: a reply, and the shop (or platform) whose rules it is checked against."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.models import Shop


class CheckForm(forms.Form):
    shop = forms.ModelChoiceField(label=_("店铺"), queryset=Shop.objects.none(), required=False)
    platform = forms.ChoiceField(label=_("平台"), choices=(), required=False)
    text = forms.CharField(label=_("回复内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=20000)
