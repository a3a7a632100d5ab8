"""Forms of the commercial pages: parsing only; the rules are in `clients.sales.services`."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.merchants.models import Platform
from clients.sales.models import ContractSignature, PriceBook


class QuoteTermsForm(forms.Form):
    price_book = forms.ModelChoiceField(label=_("价格表"), queryset=PriceBook.objects.all(), required=False,
                                        help_text=_("留空则用今天有效的价格表"))
    platform = forms.ChoiceField(label=_("计价平台"), choices=[("", _("自动（响应要求最严的平台）"))] + Platform.choices,
                                 required=False)
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    term_months = forms.IntegerField(label=_("合同期(月)"), min_value=1, max_value=60, required=False)
    addons = forms.CharField(label=_("附加服务编码"), required=False, help_text=_("价格表中附加服务的编码，逗号分隔"))
    aht_seconds = forms.IntegerField(label=_("平均处理时长(秒)"), min_value=10, max_value=3600, required=False)
    concurrency = forms.IntegerField(label=_("并发接待数"), min_value=1, max_value=5, required=False)
    service_level_pct = forms.IntegerField(label=_("服务水平目标(%)"), min_value=50, max_value=99, required=False)
    shrinkage_pct = forms.IntegerField(label=_("缺勤与休息率(%)"), min_value=0, max_value=59, required=False)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def terms(self) -> dict:
        c = self.cleaned_data
        terms = {
            "price_book": c["price_book"], "platform": c["platform"] or None, "valid_until": c["valid_until"],
            "aht_seconds": c["aht_seconds"], "concurrency": c["concurrency"],
            "addon_codes": [a.strip() for a in c["addons"].replace("，", ",").split(",") if a.strip()],
        }
        if c["term_months"]:
            terms["term_months"] = c["term_months"]
        if c["service_level_pct"]:
            terms["service_level"] = c["service_level_pct"] / 100
        if c["shrinkage_pct"] is not None:
            terms["shrinkage"] = c["shrinkage_pct"] / 100
        if c["note"]:
            terms["note"] = c["note"]
        return terms


class ReviseForm(QuoteTermsForm):
    base_revision = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False)


class ContractForm(forms.Form):
    start_date = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    sla_reply_rate = forms.DecimalField(label=_("回复率目标"), min_value=0, max_value=1, initial="0.95", decimal_places=3)
    sla_first_response_seconds = forms.IntegerField(label=_("首次响应目标(秒)"), min_value=1, required=False)
    sla_qa_score = forms.DecimalField(label=_("质检分目标"), min_value=0, max_value=100, initial=90)
    service_credit_pct = forms.DecimalField(label=_("每项未达标抵扣(%)"), min_value=0, max_value=100, initial=5)
    service_credit_cap_pct = forms.DecimalField(label=_("抵扣上限(%)"), min_value=0, max_value=100, initial=15)
    buyer_data_retention_days = forms.IntegerField(label=_("买家数据保留天数"), min_value=1, max_value=3650, initial=180)


class SignForm(forms.Form):
    """Sign like a document tool: name, title and company for the signature block, and a typed name or a
    signature drawn on the canvas (static/js/signature-pad.js puts it here as a PNG data URL)."""

    PNG_PREFIX = "data:image/png;base64,"

    signer_name = forms.CharField(label=_("签署人姓名"), max_length=100)
    signer_title = forms.CharField(label=_("职务"), max_length=100)
    signer_company = forms.CharField(label=_("单位"), max_length=200)
    method = forms.ChoiceField(
        label=_("签名方式"), choices=ContractSignature.Method.choices, initial=ContractSignature.Method.TYPED,
        widget=forms.RadioSelect,
    )
    signature_png = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500_000)
    document_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(label=_("我已阅读并同意以上合同文件"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = data.get("signature_png") or ""
        data["signature_bytes"] = None
        if data.get("method") == ContractSignature.Method.DRAWN:
            if not raw.startswith(self.PNG_PREFIX):
                self.add_error("method", _("请在签名框内手写签名，或改选“输入姓名”"))
                return data
            try:
                data["signature_bytes"] = base64.b64decode(raw[len(self.PNG_PREFIX):], validate=True)
            except (binascii.Error, ValueError):
                self.add_error("method", _("手写签名图片无法读取，请清除后重签"))
        return data


class AmendmentForm(forms.Form):
    description = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 2}))
    extra_seats = forms.IntegerField(label=_("增加席位"))
    effective_from = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    effective_until = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    price_change = forms.DecimalField(label=_("费用变化"), decimal_places=2)
