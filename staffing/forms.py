"""Forms for staffing pages (forecast overrides, history upload, seasonal plans, promotions)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from staffing.models import Promotion


class OverrideForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    slot = forms.TimeField(label=_("时段（留空=全天总量）"), required=False, widget=forms.TimeInput(attrs={"type": "time", "step": 1800}))
    volume = forms.FloatField(label=_("咨询量"), required=False, min_value=0)
    agents = forms.IntegerField(label=_("所需客服"), required=False, min_value=0)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class HistoryUploadForm(forms.Form):
    file = forms.FileField(label=_("历史咨询量 CSV（列：start, volume）"))


class PromotionYearForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2020, max_value=2035)


class PlanForm(forms.Form):
    promotion = forms.ModelChoiceField(label=_("大促"), queryset=Promotion.objects.all())
    shops = forms.ModelMultipleChoiceField(label=_("店铺"), queryset=None, widget=forms.CheckboxSelectMultiple)
    expected_orders = forms.IntegerField(label=_("每店预计订单数"), min_value=0, initial=20000)
    refund_rate = forms.FloatField(label=_("预计退款率"), min_value=0, max_value=1, initial=0.05)
    refunds_per_agent = forms.IntegerField(label=_("每人每日处理退款数"), min_value=1, initial=80)
    title = forms.CharField(label=_("名称"), required=False, max_length=200)

    def __init__(self, *args, shops=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shops"].queryset = shops


class ExamCreateForm(forms.Form):
    shop = forms.ModelChoiceField(label=_("店铺"), queryset=None)
    question_count = forms.IntegerField(label=_("抽题数"), min_value=1, max_value=100, initial=10)
    pass_mark = forms.IntegerField(label=_("及格分（百分制）"), min_value=1, max_value=100, initial=80)
    time_limit_minutes = forms.IntegerField(label=_("限时（分钟）"), min_value=1, max_value=240, initial=20)
    max_attempts = forms.IntegerField(label=_("最多次数"), min_value=1, max_value=20, initial=3)
    certification_days = forms.IntegerField(label=_("认证有效期（天）"), min_value=1, max_value=1000, initial=180)

    def __init__(self, *args, shops=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = shops


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("题目"), widget=forms.Textarea(attrs={"rows": 2}))
    answer = forms.CharField(label=_("正确答案"), max_length=300)
    wrong = forms.CharField(label=_("错误选项（每行一个）"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_wrong(self):
        lines = [line.strip() for line in self.cleaned_data["wrong"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError(_("至少需要一个错误选项"))
        return lines


class StaffingProfileForm(forms.ModelForm):
    class Meta:
        from staffing.models import StaffingProfile

        model = StaffingProfile
        fields = ["aht_seconds", "answer_seconds", "service_level", "max_occupancy", "shrinkage", "concurrency",
                  "window_start", "window_end"]
        widgets = {"window_start": forms.TimeInput(attrs={"type": "time"}),
                   "window_end": forms.TimeInput(attrs={"type": "time"})}
