"""Forms of the rule-library pages (thin: validation of shape; the services check the rest)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.models import Merchant, Shop
from compliance.rules.models import Category, Severity

_LINES_HELP = _("每行一个；也可用逗号分隔")


def _lines(value) -> str:
    return "\n".join(value or [])


class RuleForm(forms.Form):
    rule_id = forms.RegexField(
        label=_("规则编号"), max_length=64, regex=r"^[a-z0-9][a-z0-9.\-_]*$",
        error_messages={"invalid": _("只能包含小写字母、数字、点、横线和下划线")},
    )
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    terms = forms.CharField(label=_("关键词"), widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text=_LINES_HELP)
    evasion = forms.BooleanField(label=_("识别变体（谐音、形近字、拼音、缩写）"), required=False)
    allow = forms.CharField(label=_("放行短语"), widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text=_LINES_HELP)
    combination = forms.CharField(
        label=_("组合条件"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text=_("每行一组，组内词语用逗号分隔；每组任取一词，所有组出现在同一分句内即命中，顺序不限"),
    )
    unless = forms.CharField(label=_("排除词"), widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text=_LINES_HELP)
    scope = forms.ChoiceField(label=_("组合范围"), choices=(("clause", _("同一分句")), ("message", _("同一条消息"))), initial="clause", required=False)
    question = forms.BooleanField(label=_("问句中也命中"), required=False)
    homophones = forms.BooleanField(label=_("按读音识别同音字"), required=False)
    negatable = forms.BooleanField(label=_("否定句不算（同一分句里有“不支持”“请不要”等）"), required=False)
    suggestion = forms.CharField(label=_("建议用语"), max_length=300, required=False)
    explanation = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    platform_rule = forms.CharField(label=_("平台规则"), max_length=300, required=False)
    penalty = forms.CharField(label=_("处罚"), max_length=200, required=False)
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True)

    @classmethod
    def initial_from(cls, rule) -> dict:
        return {
            "rule_id": rule.rule_id, "category": rule.category, "severity": rule.severity,
            "terms": _lines(rule.terms), "evasion": rule.evasion, "allow": _lines(rule.allow),
            "suggestion": rule.suggestion, "explanation": rule.explanation, "platform_rule": rule.platform_rule,
            "penalty": rule.penalty, "enabled": rule.enabled,
            "combination": "\n".join("，".join(group) for group in rule.combination or []),
            "unless": _lines(rule.unless), "scope": rule.scope or "clause", "question": rule.question,
            "homophones": rule.homophones, "negatable": rule.negatable,
        }

    def clean_scope(self) -> str:
        return self.cleaned_data.get("scope") or "clause"

    def clean_combination(self) -> list[list[str]]:
        groups = []
        for line in (self.cleaned_data.get("combination") or "").splitlines():
            terms = [t.strip() for t in line.replace("，", ",").replace("、", ",").split(",") if t.strip()]
            if terms:
                groups.append(terms)
        if len(groups) == 1:
            raise forms.ValidationError(_("组合条件至少需要两组"))
        return groups


class CustomRuleForm(forms.Form):
    merchant = forms.ModelChoiceField(label=_("商家"), queryset=Merchant.objects.order_by("name"))
    shop = forms.ModelChoiceField(
        label=_("店铺"), queryset=Shop.objects.select_related("merchant").order_by("merchant__name", "name"),
        required=False, help_text=_("留空表示该商家的所有店铺"),
    )
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices, initial=Category.OTHER_PLATFORM)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices, initial=Severity.WARNING)
    terms = forms.CharField(label=_("关键词"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_LINES_HELP)
    allow = forms.CharField(label=_("放行短语"), widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text=_LINES_HELP)
    suggestion = forms.CharField(label=_("建议用语"), max_length=300, required=False)
    explanation = forms.CharField(label=_("说明"), max_length=300, required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    rescan_days = forms.IntegerField(
        label=_("保存后重新扫描最近天数"), min_value=0, max_value=180, initial=7, required=False,
        help_text=_("0 表示不重扫。重扫涉及的店铺：规则原来和现在覆盖的店铺；每条消息仍按扫描它的规则版本计算，只更新自定义规则的命中。"),
    )

    @classmethod
    def initial_from(cls, rule) -> dict:
        return {
            "merchant": rule.merchant, "shop": rule.shop, "category": rule.category, "severity": rule.severity,
            "terms": "\n".join(rule.terms), "allow": "\n".join(rule.allow), "suggestion": rule.suggestion,
            "explanation": rule.explanation, "active": rule.active,
        }

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data; the stubs allow None for overrides
        shop, merchant = data.get("shop"), data.get("merchant")
        if shop and merchant and shop.merchant_id != merchant.pk:
            self.add_error("shop", _("店铺不属于该商家"))
        return data

