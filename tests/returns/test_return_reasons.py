"""Return reasons in the settings: listed with their children, added, changed, retired and
offered again; every refusal says why and saves nothing."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from app.extensions import db
from app.returns.actions import ReasonValues, save_return_reason
from app.returns.models import ReturnReason

URL = "/settings/return-reasons"


def make_reason(value: str, label: str, parent: ReturnReason | None = None,
                active: bool = True) -> ReturnReason:  # fmt: skip
    reason = save_return_reason(None, ReasonValues(value, label, "", parent and parent.id))
    reason.is_active = active
    db.session.commit()
    return reason


@pytest.fixture
def wrong_size(app):
    """Wrong size, with the children Too small and Too large."""
    parent = make_reason("wrong_size", "Wrong size")
    make_reason("too_small", "Too small", parent)
    make_reason("too_large", "Too large", parent)
    return parent


def _reasons() -> dict[str, tuple[str, str | None, bool, str]]:
    """value → (label, parent's value, active, description), as stored."""
    db.session.expire_all()
    return {r.value: (r.label, r.parent and r.parent.value, r.is_active, r.description)
            for r in db.session.scalars(select(ReturnReason))}  # fmt: skip


def _rows(page: str) -> list[tuple[bool, str, str, str]]:
    """The list's rows as a person reads them: (indented as a child, label, code, status)."""
    rows = re.findall(r'<tr( class="reason-child")?>\s*<td><a [^>]*>([^<]*)</a>.*?'
                      r"<code>([^<]*)</code>.*?<span class=\"badge[^\"]*\">([^<]*)</span>",
                      page, re.S)  # fmt: skip
    return [(bool(child), unescape(label), code, status) for child, label, code, status in rows]


def _errors(page: str) -> list[str]:
    return [unescape(text) for text in re.findall(r'role="alert">([^<]*)<', page)]


def _form(**changes) -> dict[str, str]:
    return {"value": "damaged", "label": "Damaged or faulty", "description": "",
            "parent_id": "", **changes}  # fmt: skip


@pytest.mark.parametrize("url", [URL, f"{URL}/1"])
def test_return_reasons_ask_for_a_login(client, wrong_size, url):
    response = client.get(url)

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_retiring_asks_for_a_login(client, wrong_size):
    child = wrong_size.children[0]

    response = client.post(f"{URL}/{child.id}/retire")

    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _reasons()[child.value][2] is True


def test_the_settings_link_to_the_return_reasons(staff_client):
    page = staff_client.get("/settings/").get_data(as_text=True)

    assert f'href="{URL}"' in page


def test_the_list_shows_each_parent_with_its_children_under_it(staff_client, wrong_size):
    make_reason("changed_mind", "Changed my mind")
    make_reason("not_as_described", "Not as described", active=False)

    page = staff_client.get(URL).get_data(as_text=True)

    assert _rows(page) == [
        (False, "Changed my mind", "changed_mind", "offered"),
        (False, "Not as described", "not_as_described", "retired"),
        (False, "Wrong size", "wrong_size", "offered"),
        (True, "Too large", "too_large", "offered"),
        (True, "Too small", "too_small", "offered"),
    ]


def test_the_parent_is_chosen_from_the_active_top_level_reasons(staff_client, wrong_size):
    make_reason("old", "Old reason", active=False)

    page = staff_client.get(URL).get_data(as_text=True)

    select_ = re.search(r'<select[^>]*name="parent_id".*?</select>', page, re.S)[0]
    assert re.findall(r">([^<]+)</option>", select_) == ["None: a top-level reason",
                                                         "Wrong size"]  # fmt: skip


def test_adding_a_top_level_reason_and_a_child(staff_client, wrong_size):
    added = staff_client.post(URL, data=_form(value=" Damaged ", description=" Broken in the box "))
    child = staff_client.post(URL, data=_form(value="wrong_colour", label="Wrong colour",
                                              parent_id=str(wrong_size.id)))  # fmt: skip

    assert added.status_code == child.status_code == 302
    reasons = _reasons()
    assert reasons["damaged"] == ("Damaged or faulty", None, True, "Broken in the box")
    assert reasons["wrong_colour"] == ("Wrong colour", "wrong_size", True, "")
    page = staff_client.get(URL).get_data(as_text=True)
    assert "Return reason “Damaged or faulty” added." in page
    assert (True, "Wrong colour", "wrong_colour", "offered") in _rows(page)


def test_editing_a_reason_changes_it(staff_client, wrong_size):
    small = next(r for r in wrong_size.children if r.value == "too_small")
    page = staff_client.get(f"{URL}/{small.id}").get_data(as_text=True)

    response = staff_client.post(f"{URL}/{small.id}", data=_form(
        value="too_tight", label="Too tight", description="Fits too close",
        parent_id=str(wrong_size.id)))  # fmt: skip

    assert 'value="too_small"' in page and f'<option selected value="{wrong_size.id}">' in page
    assert response.status_code == 302
    assert _reasons()["too_tight"] == ("Too tight", "wrong_size", True, "Fits too close")
    assert "too_small" not in _reasons()


def test_a_child_can_become_a_top_level_reason(staff_client, wrong_size):
    small = next(r for r in wrong_size.children if r.value == "too_small")

    response = staff_client.post(f"{URL}/{small.id}", data=_form(value="too_small",
                                                                 label="Too small"))  # fmt: skip

    assert response.status_code == 302
    assert _reasons()["too_small"][1] is None


def test_retiring_and_reactivating_a_reason(staff_client, wrong_size):
    small = next(r for r in wrong_size.children if r.value == "too_small")

    retired = staff_client.post(f"{URL}/{small.id}/retire")
    listed = staff_client.get(URL).get_data(as_text=True)
    reactivated = staff_client.post(f"{URL}/{small.id}/reactivate")

    assert retired.status_code == reactivated.status_code == 302
    assert "Return reason “Too small” retired." in listed
    assert (True, "Too small", "too_small", "retired") in _rows(listed)
    assert f'action="{URL}/{small.id}/reactivate"' in listed
    assert _reasons()["too_small"][2] is True


def test_a_parent_retires_after_its_children(staff_client, wrong_size):
    for child in list(wrong_size.children):
        staff_client.post(f"{URL}/{child.id}/retire")

    response = staff_client.post(f"{URL}/{wrong_size.id}/retire")

    assert response.status_code == 302
    assert not any(active for _, _, active, _ in _reasons().values())


def test_retiring_a_parent_with_active_children_is_refused(staff_client, wrong_size):
    response = staff_client.post(f"{URL}/{wrong_size.id}/retire")

    assert response.status_code == 422
    assert _errors(response.get_data(as_text=True)) == [
        "“Wrong size” has active child reasons (“Too large”, “Too small”); retire them first."
    ]
    assert _reasons()["wrong_size"][2] is True


def test_a_child_of_a_retired_parent_is_not_reactivated(staff_client, wrong_size):
    small = next(r for r in wrong_size.children if r.value == "too_small")
    for child in list(wrong_size.children):
        staff_client.post(f"{URL}/{child.id}/retire")
    staff_client.post(f"{URL}/{wrong_size.id}/retire")

    response = staff_client.post(f"{URL}/{small.id}/reactivate")

    assert response.status_code == 422
    assert _errors(response.get_data(as_text=True)) == [
        "“Wrong size” is retired; reactivate it before its child reasons."
    ]
    assert _reasons()["too_small"][2] is False


BAD_VALUE = "Use 1 to 50 lower-case letters, digits and _, such as too_small."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"value": "too_small"}, "value", "The code too_small is taken by “Too small”."),
        ({"value": "TOO_SMALL"}, "value", "The code too_small is taken by “Too small”."),
        ({"value": "too small"}, "value", BAD_VALUE),
        ({"value": "too-small"}, "value", BAD_VALUE),
        ({"value": "trop_abîmé"}, "value", BAD_VALUE),
        ({"value": "x" * 51}, "value", BAD_VALUE),
        ({"value": " "}, "value", "Give the reason a code, such as too_small."),
        ({"label": ""}, "label", "Give the reason a label, such as Too small."),
        ({"label": "x" * 101}, "label", "Keep the label to 100 characters or fewer."),
        ({"description": "x" * 1001}, "description",
         "Keep the description to 1,000 characters or fewer."),
        ({"parent_id": "child"}, "parent_id",
         "“Too small” is a child of “Wrong size”: child reasons have no children. "
         "Choose a top-level reason."),
        ({"parent_id": "retired"}, "parent_id",
         "“Old reason” is retired; choose an active reason."),
        ({"parent_id": "999999"}, "parent_id",
         "That parent reason no longer exists; reload the page."),
        ({"parent_id": "NaN"}, "parent_id",
         "Choose a reason from the list; reload the page if one is missing."),
    ],
)  # fmt: skip
def test_a_refused_new_reason_says_why_beside_the_field_and_saves_nothing(
    staff_client, wrong_size, changes, field, message
):
    old = make_reason("old", "Old reason", active=False)
    small = next(r for r in wrong_size.children if r.value == "too_small")
    ids = {"child": str(small.id), "retired": str(old.id)}
    data = _form(**{name: ids.get(value, value) for name, value in changes.items()})
    before = _reasons()

    response = staff_client.post(URL, data=data)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in _errors(page)
    # Beside its field: the error follows the field's input, within the field's row.
    row = re.search(rf'<div class="setting-row">(?:(?!setting-row).)*name="{field}"'
                    rf"(?:(?!setting-row).)*</div>", page, re.S)[0]  # fmt: skip
    assert message in unescape(row)
    assert _reasons() == before


@pytest.mark.parametrize(
    ("reason", "parent", "message"),
    [
        ("wrong_size", "wrong_size", "A reason cannot be its own parent."),
        ("wrong_size", "changed_mind", "“Wrong size” has child reasons, so it stays a "
                                       "top-level reason."),
        ("changed_mind", "too_small", "“Too small” is a child of “Wrong size”: child reasons "
                                      "have no children. Choose a top-level reason."),
    ],
)  # fmt: skip
def test_an_edit_that_breaks_the_one_level_of_children_is_refused(
    staff_client, wrong_size, reason, parent, message
):
    make_reason("changed_mind", "Changed my mind")
    ids = {r.value: r.id for r in db.session.scalars(select(ReturnReason))}
    before = _reasons()

    response = staff_client.post(f"{URL}/{ids[reason]}", data=_form(
        value=reason, label=before[reason][0], parent_id=str(ids[parent])))  # fmt: skip

    assert response.status_code == 422
    assert message in _errors(response.get_data(as_text=True))
    assert _reasons() == before


def test_an_edit_to_a_taken_code_is_refused(staff_client, wrong_size):
    small = next(r for r in wrong_size.children if r.value == "too_small")
    before = _reasons()

    response = staff_client.post(f"{URL}/{small.id}", data=_form(
        value="too_large", label="Too small", parent_id=str(wrong_size.id)))  # fmt: skip

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The code too_large is taken by “Too large”." in _errors(page)
    assert "<h1>Too small</h1>" in page
    assert _reasons() == before


def test_a_retired_child_keeps_its_retired_parent_when_edited(staff_client, wrong_size):
    small = next(r for r in wrong_size.children if r.value == "too_small")
    for child in list(wrong_size.children):
        staff_client.post(f"{URL}/{child.id}/retire")
    staff_client.post(f"{URL}/{wrong_size.id}/retire")

    page = staff_client.get(f"{URL}/{small.id}").get_data(as_text=True)
    response = staff_client.post(f"{URL}/{small.id}", data=_form(
        value="too_small", label="Too small (fits tight)", parent_id=str(wrong_size.id)))

    assert f'<option selected value="{wrong_size.id}">Wrong size</option>' in page
    assert response.status_code == 302
    assert _reasons()["too_small"] == ("Too small (fits tight)", "wrong_size", False, "")


def test_an_unknown_reason_is_not_found(staff_client):
    assert staff_client.get(f"{URL}/999999").status_code == 404
    assert staff_client.post(f"{URL}/999999/retire").status_code == 404
