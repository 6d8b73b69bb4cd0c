"""The flags column of the Espelho de Ponto: what a day's timesheet row says, in words and in order."""

from orchestration.ponto_outputs import _flags


def test_the_absence_comes_first_then_each_flag_in_the_documents_order() -> None:
    day = {"has_rest_violation": True, "is_absent": True, "absence_category": "sick", "is_incomplete": True}
    assert _flags(day) == "falta justificada, incompleta, descanso (art. 66)"
    assert _flags({"is_absent": True, "absence_category": None}) == "falta"
    assert _flags({"is_holiday": True, "has_overtime_over_limit": True}) == "feriado, HE > 2 h (art. 59)"
    assert _flags({"is_absent": False, "needs_review": False}) == ""
