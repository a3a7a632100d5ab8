"""Forms of the QA pages. They only parse input; the services decide."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.models import Role, User
from clients.models import Shop
from compliance.models import ChatSession
from compliance.quality.qa import autoqa
from compliance.quality.qa.models import SamplingPlan, Scorecard, ScorecardItem
from compliance.quality.qa.params import PARAM_LABELS, SEVERITY_PARAM_LABELS


def _staff_reviewers():
    return User.objects.filter(role__in=[Role.INSPECTOR, Role.MANAGER], is_active=True).order_by("username")


class AutoQACheckForm(forms.Form):
    """One auto-QA check as a form: a toggle, points, a cap, and one typed field per parameter (keyword lists
    one per line, numbers with their ranges, the points per severity), never raw JSON. Every input names the
    row's form (`form="f-<key>"`), since the settings are a table with one form per row."""

    enabled = forms.BooleanField(label=_("启用"), required=False)
    points = forms.DecimalField(label=_("每次扣分"), min_value=0, max_value=100, decimal_places=1)
    max_occurrences = forms.IntegerField(label=pgettext_lazy("自动质检", "最多次数"), min_value=0, max_value=100)

    def __init__(self, *args, key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key
        self.param_names: list[str] = []
        for name, default in autoqa.DEFAULTS[key]["params"].items():
            if isinstance(default, list):
                self._add(name, forms.CharField(label=PARAM_LABELS.get(name, name), required=True,
                                                widget=forms.Textarea(attrs={"rows": 3})))
            elif isinstance(default, dict):
                for severity in default:
                    self._add(f"{name}__{severity}", forms.DecimalField(
                        label=SEVERITY_PARAM_LABELS.get(severity, severity), min_value=0, max_value=100, decimal_places=1,
                    ))
            elif name == "similarity":
                self._add(name, forms.DecimalField(label=PARAM_LABELS[name], min_value=0, max_value=1, decimal_places=2))
            else:
                self._add(name, forms.IntegerField(label=PARAM_LABELS.get(name, name), min_value=0, max_value=86400))
        for field in self.fields.values():
            field.widget.attrs["form"] = f"f-{key}"

    def _add(self, name: str, field: forms.Field) -> None:
        self.fields[name] = field
        self.param_names.append(name)

    @classmethod
    def initial_for(cls, *, enabled: bool, points, max_occurrences: int, params: dict, key: str) -> dict:
        initial = {"enabled": enabled, "points": points, "max_occurrences": max_occurrences}
        merged = {**autoqa.DEFAULTS[key]["params"], **(params or {})}
        for name, value in merged.items():
            if isinstance(value, list):
                initial[name] = "\n".join(value)
            elif isinstance(value, dict):
                initial.update({f"{name}__{k}": v for k, v in value.items()})
            else:
                initial[name] = value
        return initial

    def param_fields(self) -> list:
        return [self[name] for name in self.param_names]

    def params(self) -> dict:
        """The parameters as the engine takes them, from the cleaned fields."""
        data = self.cleaned_data
        out: dict = {}
        for name, default in autoqa.DEFAULTS[self.key]["params"].items():
            if isinstance(default, list):
                out[name] = [line.strip() for line in (data.get(name) or "").splitlines() if line.strip()]
            elif isinstance(default, dict):
                out[name] = {k: float(data[f"{name}__{k}"]) for k in default}
            elif isinstance(default, float) or name == "similarity":
                out[name] = float(data[name])
            else:
                out[name] = int(data[name])
        return out


class ScorecardForm(forms.Form):
    key = forms.SlugField(label=_("标识"), max_length=60, required=False)
    spec = forms.CharField(label=_("评分表（YAML 格式）"), widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}))


class SamplingPlanForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=120)
    cadence = forms.ChoiceField(label=_("频率"), choices=SamplingPlan.Cadence.choices)
    scorecard = forms.ModelChoiceField(label=_("评分表"), queryset=Scorecard.objects.filter(is_current=True))
    shops = forms.ModelMultipleChoiceField(label=_("店铺"), queryset=Shop.objects.order_by("code"), required=False)
    agents = forms.ModelMultipleChoiceField(
        label=_("客服"), queryset=User.objects.filter(role=Role.AGENT).order_by("code"), required=False
    )
    max_auto_score = forms.DecimalField(label=_("自动质检分不高于"), required=False, min_value=0, max_value=100)
    only_violations = forms.BooleanField(label=_("只抽有违规的会话"), required=False)
    random_share = forms.DecimalField(label=_("随机抽取比例"), min_value=0, max_value=1, initial=1, decimal_places=3)
    max_sessions = forms.IntegerField(label=_("每期最多"), min_value=1, max_value=1000, initial=20)
    inspectors = forms.ModelMultipleChoiceField(label=_("质检员"), queryset=_staff_reviewers())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast("forms.ModelMultipleChoiceField[User]", self.fields["inspectors"]).queryset = _staff_reviewers()


class SamplingRunForm(forms.Form):
    on = forms.DateField(label=_("抽检日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate() - timedelta(days=1)


class ReviewForm(forms.Form):
    """One choice field per scorecard item (0..scale_max), a note per item, a comment."""

    comment = forms.CharField(label=_("评语"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items: list[ScorecardItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            choices = [(str(n), str(n)) for n in range(item.scale_max, -1, -1)]
            self.fields[f"item_{item.pk}"] = forms.TypedChoiceField(
                label=item.label, choices=choices, coerce=int, widget=forms.RadioSelect, help_text=item.guidance
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("备注"), required=False, max_length=300, widget=forms.TextInput(attrs={"placeholder": _("备注（可选）")})
            )

    def rows(self):
        """(item, score field, note field) for the template, in scorecard order."""
        return [(item, self[f"item_{item.pk}"], self[f"note_{item.pk}"]) for item in self.items]

    def scores(self) -> dict[int, int]:
        return {item.pk: self.cleaned_data[f"item_{item.pk}"] for item in self.items}

    def notes(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data.get(f"note_{item.pk}", "") for item in self.items}


class DisputeForm(forms.Form):
    comment = forms.CharField(
        label=_("申诉理由"), required=False,  # required, but the service says so (one rule, one message)
        widget=forms.Textarea(attrs={"rows": 3}), help_text=_("必填：说明您认为评分不当的原因")
    )


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(label=_("处理结果"), choices=[("reject", _("驳回申诉")), ("accept", _("申诉成立，改判"))])
    revised_score = forms.DecimalField(label=_("改判得分"), required=False, min_value=0, max_value=100, decimal_places=1)
    resolution = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 2}))


class CalibrationForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    scorecard = forms.ModelChoiceField(label=_("评分表"), queryset=Scorecard.objects.filter(is_current=True))
    sessions = forms.ModelMultipleChoiceField(label=_("会话"), queryset=ChatSession.objects.none())
    inspectors = forms.ModelMultipleChoiceField(label=_("质检员"), queryset=User.objects.none())

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        cast("forms.ModelMultipleChoiceField[ChatSession]", self.fields["sessions"]).queryset = sessions
        cast("forms.ModelMultipleChoiceField[User]", self.fields["inspectors"]).queryset = _staff_reviewers()
