"""Forms for training pages (create a shop exam, add a question)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.models import Shop


class ExamCreateForm(forms.Form):
    shop: forms.ModelChoiceField[Shop] = forms.ModelChoiceField(label=_("店铺"), queryset=None)
    question_count = forms.IntegerField(label=_("抽题数"), min_value=1, max_value=100, initial=10)
    pass_mark = forms.IntegerField(label=_("及格分（百分制）"), min_value=1, max_value=100, initial=80)
    time_limit_minutes = forms.IntegerField(label=_("限时（分钟）"), min_value=1, max_value=240, initial=20)
    max_attempts = forms.IntegerField(label=_("最多次数"), min_value=1, max_value=20, initial=3)
    certification_days = forms.IntegerField(label=_("认证有效期（天）"), min_value=1, max_value=1000, initial=180)

    def __init__(self, *args, shops=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["shop"]).queryset = shops


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("题目"), widget=forms.Textarea(attrs={"rows": 2}))
    answer = forms.CharField(label=_("正确答案"), max_length=300)
    wrong = forms.CharField(label=_("错误选项（每行一个）"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_wrong(self):
        lines = [line.strip() for line in self.cleaned_data["wrong"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError(_("至少需要一个错误选项"))
        return lines
