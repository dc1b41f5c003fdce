"""Problems the services raise land on the form field they name, in the words
and the language of the page (care/forms.py, care/errors.py)."""

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from tether.care import services
from tether.care.errors import Code, InvalidEntry, Problem
from tether.care.forms import CaseForm, MemberForm, PaperEntryForm, add_problems
from tether.care.frames import library


def test_a_problem_lands_on_the_field_it_names(ames):
    form = CaseForm(ames, {"label": "Rivera family", "kind": "family"})
    assert form.is_valid()
    add_problems(
        form,
        [Problem("label", Code.TOO_LONG, gettext_lazy("Give the case a name."))],
    )
    assert form.errors == {"label": ["Give the case a name."]}


def test_a_problem_naming_no_field_of_the_form_goes_above_it(ames):
    form = CaseForm(ames, {"label": "Rivera family", "kind": "family"})
    assert form.is_valid()
    problem = Problem("member", Code.NOT_IN_CASE, "This person is not a member.")
    add_problems(form, [problem])
    assert form.non_field_errors() == ["This person is not a member."]
    assert "member" not in form.errors


def test_a_service_problem_reaches_the_field_of_the_form_that_sent_it(ames, rivera):
    form = MemberForm(
        {"first_name": "Ana", "role": "other", "age_band": "18+", "language": "es"}
    )
    assert form.is_valid()
    with pytest.raises(InvalidEntry) as caught:
        services.add_member(ames, rivera.pk, **form.cleaned_data | {"role": "aunt"})
    add_problems(form, caught.value.problems)
    assert form.errors == {"role": ["Choose a role from the list."]}


def test_a_bad_paper_answer_lands_on_its_item(ames, first_session, leo):
    pcl5 = library().get("pcl-5")
    data = {f"item_{i}": "2" for i in range(1, 21)} | {"item_4": "7"}
    form = PaperEntryForm(pcl5, "items", "family", leo, "member", data)
    assert form.is_valid()
    with pytest.raises(InvalidEntry) as caught:
        services.enter_paper_response(
            ames, first_session.pk, "pcl-5", leo.pk, **form.entered()
        )
    add_problems(form, caught.value.problems)
    assert form.errors == {"item_4": ["Please choose an answer from 0 to 4."]}


def test_a_message_is_worded_in_the_language_it_is_shown_in():
    problem = Problem(
        "",
        Code.ALREADY_SENT,
        gettext_lazy("These answers were already sent, so they cannot be changed."),
    )
    assert (
        problem.message == "These answers were already sent, so they cannot be changed."
    )
    with translation.override("es"):
        assert problem.message == (
            "Estas respuestas ya se enviaron, así que no se pueden cambiar."
        )
    assert problem.code == "already-sent"


def test_the_error_lists_its_problems_and_their_codes():
    error = InvalidEntry(
        [
            Problem("label", Code.REQUIRED, "Give the case a name."),
            Problem("kind", Code.NOT_A_CHOICE, "Choose individual, couple or family."),
        ]
    )
    assert error.codes == {"required", "not-a-choice"}
    assert str(error) == "Give the case a name.; Choose individual, couple or family."


# ---- a name too long is refused, never cut ---------------------------------------


def test_a_case_label_longer_than_kept_is_refused_with_its_length(ames):
    with pytest.raises(InvalidEntry) as caught:
        services.create_case(ames, "R" * 121, "family")
    [problem] = caught.value.problems
    assert (problem.field, problem.code) == ("label", "too-long")
    assert problem.message == (
        "This is 121 characters long; keep it to 120 characters at most."
    )
    assert services.create_case(ames, "R" * 120, "family").label == "R" * 120


def test_a_member_name_longer_than_kept_is_refused(ames, rivera):
    with pytest.raises(InvalidEntry) as caught:
        services.add_member(ames, rivera.pk, "A" * 81, "other")
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("first_name", "too-long")
    ]


def test_the_case_form_lets_a_long_label_through_to_be_refused_not_cut(ames):
    """No maxlength on the input: a browser cuts pasted text there silently."""
    form = CaseForm(ames, {"label": "R" * 200, "kind": "family"})
    assert "maxlength" not in str(form["label"])
    assert not form.is_valid()
    assert form.errors["label"] == [
        "This is 200 characters long; keep it to 120 characters at most."
    ]
