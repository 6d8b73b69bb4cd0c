"""The AEJ validator the API tests use (tests/aej_validator.py) finds what it is meant to find: a file
built by hand from the design doc's examples passes, and each broken rule is reported."""

import pytest

from tests.aej_validator import validate

GOOD = [
    "01|1|12345678000195|||EMPRESA EXEMPLO LTDA|2024-03-04|2024-03-04|2024-03-05T10:00:00-0300|001",
    "02|1|1|00004003300000001",
    "03|1|11144477735|João Silva",
    "04|STD_44_SEG_SEX|480|0800|1200|1300|1700",
    "05|1|2024-03-04T07:58:00-0300|1|E|001|O|STD_44_SEG_SEX|",
    "05|1|2024-03-04T07:59:00-0300|1|D|001|O||Marcação duplicada",
    "05|1|2024-03-04T12:00:00-0300|1|S|001|O||",
    "05|1|2024-03-04T13:00:00-0300||E|002|I||Esqueceu de registrar o retorno",
    "05|1|2024-03-04T17:00:00-0300|1|S|002|O||",
    "07|1|3|2024-03-04|0|1",
    "08|bi-dash|0.1.0|1|12345678000195|EMPRESA EXEMPLO LTDA|ti@example.com",
    "99|1|1|1|1|5|0|1|1",
    "ASSINATURA_DIGITAL_EM_ARQUIVO_P7S".ljust(100),
]


def _file(lines: list[str]) -> bytes:
    return "".join(line + "\r\n" for line in lines).encode("latin-1")


def test_a_file_written_by_the_rules_passes() -> None:
    report = validate(_file(GOOD))
    assert report.errors == [] and report.warnings == []


@pytest.mark.parametrize(
    ("index", "line", "error"),
    [
        (11, "99|1|1|1|1|4|0|1|1", "trailer count of 05"),
        (2, "03|1|11144477736|João Silva", "invalid CPF"),
        (5, "05|1|2024-03-04T07:59:00-0300|1|D|001|O||", "motivo is mandatory"),
        (6, "05|1|2024-03-04T12:00:00-0300|1|S|002|O||", "S 002 does not follow E 002"),
        (4, "05|1|2024-03-04T07:58:00-0300|1|E|001|O||", "codHorContratual is mandatory on E 001"),
        (4, "05|1|2024-03-04T07:58:00-0300||E|001|O|STD_44_SEG_SEX|", "needs its idRepAej"),
        (4, "05|9|2024-03-04T07:58:00-0300|1|E|001|O|STD_44_SEG_SEX|", "is not a record 03"),
        (4, "05|1|2024-03-06T07:58:00-0300|1|E|001|O|STD_44_SEG_SEX|", "within the period"),
        (9, "07|1|3|2024-03-04|30|", "needs qtMinutos and tipoMovBH"),
        (3, "04|STD_44_SEG_SEX|480|0800||1300|1700", "pairs must be complete"),
        (
            0,
            "01|1|12345678000196|||EMPRESA EXEMPLO LTDA|2024-03-04|2024-03-04|2024-03-05T10:00:00-0300|001",
            "CNPJ",
        ),
    ],
)
def test_each_broken_rule_is_reported(index: int, line: str, error: str) -> None:
    lines = list(GOOD)
    lines[index] = line
    assert any(error in message for message in validate(_file(lines)).errors), error


def test_line_endings_order_and_the_signature() -> None:
    lf = "".join(line + "\n" for line in GOOD).encode("latin-1")
    assert validate(lf).errors
    swapped = list(GOOD)
    swapped[1], swapped[2] = swapped[2], swapped[1]
    assert any("record 02 after record 03" in e for e in validate(_file(swapped)).errors)
    assert any("signature" in e for e in validate(_file(GOOD[:-1])).errors)
