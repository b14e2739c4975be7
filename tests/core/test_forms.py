"""qms's drop-down list (qms.core.forms.SelectField) writes what WTForms writes, only quicker."""

import pytest
from wtforms import Form
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select as WTFormsSelect

from qms.core.forms import Select, SelectField

CHOICES = [
    SelectChoice("", "Mọi hành động"),
    SelectChoice("auth.sign_in", "Đăng nhập"),
    SelectChoice('a"b<c>&d', 'Tên có <thẻ> & "ngoặc"'),
    SelectChoice("user.*", ""),  # no label: the value is shown
    SelectChoice("x", "Có thuộc tính", render_kw={"disabled": True}),
]


def rendered(widget, data, choices=CHOICES, coerce=str, **kwargs):
    class Filters(Form):
        field = SelectField(choices=choices, coerce=coerce)

    form = Filters(data={"field": data})
    return widget(form.field, **kwargs)


@pytest.mark.parametrize("data", ["", "auth.sign_in", 'a"b<c>&d', "user.*", "x", "not listed"])
def test_the_options_are_written_as_wtforms_writes_them(data):
    assert rendered(Select(), data) == rendered(WTFormsSelect(), data)


def test_values_that_are_not_text_and_attributes_given_when_rendering_are_written_by_wtforms():
    numbers = [SelectChoice(1, "Văn phòng"), SelectChoice(2, "Tư pháp")]
    assert rendered(Select(), 2, numbers, int) == rendered(WTFormsSelect(), 2, numbers, int)
    assert 'selected value="2"' in rendered(Select(), 2, numbers, int)
    assert rendered(Select(), "", class_="form-select") == rendered(WTFormsSelect(), "", class_="form-select")
