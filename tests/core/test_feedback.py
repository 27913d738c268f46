"""The public's feedback rules without I/O: the SKM answers, a complaint's
statuses (one table of moves), what kiosks and displays may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from antrean.core.feedback import (
    COMPLAINT_MOVES,
    COMPLAINT_STATUSES,
    UNSUR,
    FeedbackError,
    check_survey,
    new_complaint,
    overdue,
    public_complaint,
    public_survey,
    survey_allowed,
    survey_data,
    update_complaint,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ALL = {u: 3 for u in UNSUR}
CATEGORIES = ("waktu", "biaya")
TICKET = {"id": "2026-11-23-A012", "number": "A012", "service": "A", "counter": "3"}


def test_complete_answers_with_digits_as_text_and_an_empty_profile() -> None:
    answers = check_survey({**{u: str(g) for u, g in ALL.items()}, "age": " ", "comment": "  "})
    assert answers.answers == ALL
    assert answers.profile == {"age": None, "gender": None, "education": None,
                               "occupation": None}
    assert answers.comment is None


@pytest.mark.parametrize("bad", [0, 5, "x", None, True, 2.5, "", [3]])
def test_an_answer_off_the_scale_is_named(bad: object) -> None:
    with pytest.raises(FeedbackError) as refused:
        check_survey({**ALL, "u4": bad})
    assert refused.value.code == "bad_request" and refused.value.fields == ("u4",)


def test_every_missing_unsur_and_bad_profile_field_is_named_at_once() -> None:
    with pytest.raises(FeedbackError) as refused:
        check_survey({"u1": 4, "age": 7, "gender": "X", "education": "phd"})
    assert refused.value.fields == (*UNSUR[1:], "age", "gender", "education")
    assert str(refused.value) == "missing or invalid: " + ", ".join(refused.value.fields)


def test_a_long_comment_is_refused() -> None:
    with pytest.raises(FeedbackError, match="comment is longer than 1000"):
        check_survey({**ALL, "comment": "x" * 1001})


def test_survey_data_is_the_shared_shape_and_only_done_visits_are_rated() -> None:
    data = survey_data(TICKET, "2026-11-23", check_survey({**ALL, "gender": "P"}), "siti",
                       "point")
    assert set(data["survey"]) == {"ticket", "number", "service", "counter", "staff", "day",
                                   "answers", "profile", "comment", "source"}
    assert public_survey(data["survey"])["staff"] is None
    survey_allowed("done")
    for status in ("waiting", "called", "serving", "no_show"):
        with pytest.raises(FeedbackError) as refused:
            survey_allowed(status)
        assert refused.value.code == "conflict"


def complaint(**raw: object) -> dict[str, object]:
    return new_complaint({"category": "waktu", "text": "Lama", **raw}, CATEGORIES,
                         "PGD-AAAAA-BBBBB", NOW, 5, TICKET)


def test_a_new_complaint() -> None:
    filed = complaint(name=" Ani ", contact="0812", consent="1")
    assert (filed["status"], filed["name"], filed["ticket"], filed["service"]) == (
        "diterima", "Ani", TICKET["id"], "A")
    assert filed["deadline"] == (NOW + timedelta(days=5)).isoformat(timespec="milliseconds")
    assert set(public_complaint(filed)) == {"code", "category", "status", "filed_at",
                                            "updated_at", "deadline"}


def test_a_name_or_contact_needs_consent() -> None:
    with pytest.raises(FeedbackError) as refused:
        complaint(contact="ani@example.id")
    assert refused.value.fields == ("consent",)


def test_every_status_move_is_in_the_table_and_nothing_else_passes() -> None:
    for start in COMPLAINT_STATUSES:
        for target in COMPLAINT_STATUSES:
            current = {**complaint(), "status": start, "reply": "sudah"}
            allowed = (start, target) in COMPLAINT_MOVES or (
                start == target and start in ("diterima", "diproses"))
            if allowed:
                assert update_complaint(current, target, "jawaban", NOW)["status"] == target
            else:
                with pytest.raises(FeedbackError) as refused:
                    update_complaint(current, target, "jawaban", NOW)
                assert refused.value.code == "conflict", (start, target)


def test_refusing_needs_a_reason_and_closing_an_answer() -> None:
    with pytest.raises(FeedbackError, match="reason"):
        update_complaint(complaint(), "ditolak", "  ", NOW)
    with pytest.raises(FeedbackError, match="answer"):
        update_complaint(complaint(), "selesai", None, NOW)
    with pytest.raises(FeedbackError, match="status must be one of"):
        update_complaint(complaint(), "closed", "x", NOW)


def test_overdue_only_while_open_and_past_the_deadline() -> None:
    filed = complaint()
    assert not overdue(filed, NOW + timedelta(days=5))
    assert overdue(filed, NOW + timedelta(days=5, seconds=1))
    closed = update_complaint(filed, "selesai", "Sudah", NOW)
    assert not overdue(closed, NOW + timedelta(days=30))
