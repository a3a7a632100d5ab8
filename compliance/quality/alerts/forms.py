"""The notification rule form: what a person wants to hear of, and how."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from compliance.quality.alerts.models import NotificationRule
from compliance.quality.alerts.services import webhook_host_allowed


class NotificationRuleForm(forms.ModelForm):
    webhook_url = forms.URLField(
        label=_("Webhook 地址"), required=False, max_length=500, assume_scheme="https",
        help_text=_("机器人设置页复制的完整地址"),
    )

    class Meta:
        model = NotificationRule
        fields = [
            "name", "channel", "robot", "webhook_url", "webhook_secret", "email", "min_level", "metric", "shops",
            "mode", "digest_hour", "language", "active",
        ]
        widgets = {
            "shops": forms.CheckboxSelectMultiple,
            "webhook_secret": forms.PasswordInput(render_value=True),
        }

    def __init__(self, *args: Any, shops: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A new rule speaks the language its author is reading; a form sent without it keeps the rule's.
        self.fields["language"].required = False
        if not self.instance.pk:
            self.instance.language = "en" if (get_language() or "").startswith("en") else "zh-hans"
        self.fields["language"].initial = self.instance.language
        self.fields["shops"].queryset = shops  # type: ignore[attr-defined]
        self.fields["metric"].choices = [("", _("全部指标")), *NotificationRule._meta.get_field("metric").choices]  # type: ignore[attr-defined, misc]
        self.fields["robot"].choices = [("", _("（不用机器人）")), *NotificationRule.Robot.choices]  # type: ignore[attr-defined]

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or self.instance.language

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("channel") == NotificationRule.Channel.WEBHOOK:
            if not data.get("robot"):
                self.add_error("robot", _("群机器人通知须选择机器人类型。"))
            url = data.get("webhook_url")
            if not url:
                self.add_error("webhook_url", _("群机器人通知须填写 Webhook 地址。"))
            elif not webhook_host_allowed(url):
                self.add_error("webhook_url", _("只能填写企业微信、钉钉或飞书机器人的 Webhook 地址。"))
        return data
