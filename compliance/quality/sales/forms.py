"""Forms of the sales pages: the order-file upload."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.merchants.selectors import shops_visible_to
from compliance.quality.sales.engine.orderfile import FORMATS


class OrderImportForm(forms.Form):
    shop = forms.ChoiceField(label=_("店铺"))
    format = forms.ChoiceField(
        label=_("格式"), required=False, choices=[("", _("按文件扩展名")), *((f, f.upper()) for f in FORMATS)]
    )
    file = forms.FileField(label=_("文件"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["shop"]).choices = list(
            shops_visible_to(user=user).order_by("name").values_list("code", "name")
        )
