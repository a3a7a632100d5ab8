from django import forms

from agency.forms import form_errors_text


class TermsForm(forms.Form):
    seats = forms.IntegerField(label="席位", min_value=1)
    months = forms.IntegerField(label="期限（月）")

    def clean(self):
        data = super().clean()
        if data.get("seats") and data.get("months") and data["seats"] > 10 * data["months"]:
            raise forms.ValidationError("席位与期限不相称")
        return data


def test_field_errors_are_named_by_label_and_form_errors_stand_alone():
    form = TermsForm(data={"seats": "0", "months": "abc"})
    assert not form.is_valid()
    text = form_errors_text(form)
    assert text.startswith("席位: ") and "期限（月）: " in text
    form = TermsForm(data={"seats": "50", "months": "2"})
    assert not form.is_valid()
    assert form_errors_text(form) == "席位与期限不相称"
