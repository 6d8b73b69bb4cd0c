"""Brazilian document numbers: the check digits of CPF, CNPJ and PIS (one rule, used by the loaders and
the synthetic data)."""

from __future__ import annotations

CPF_WEIGHTS = (list(range(10, 1, -1)), list(range(11, 1, -1)))
CNPJ_WEIGHTS = ([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
PIS_WEIGHTS = [3, 2, 9, 8, 7, 6, 5, 4, 3, 2]


def check_digit(digits: list[int], weights: list[int]) -> int:
    remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    return 0 if remainder < 2 else 11 - remainder


def _valid(number: str, size: int, weights: tuple[list[int], ...]) -> bool:
    if len(number) != size or not number.isdigit() or len(set(number)) == 1:
        return False
    digits = [int(c) for c in number]
    body = size - len(weights)
    for position, weight in enumerate(weights):
        if check_digit(digits[: body + position], weight) != digits[body + position]:
            return False
    return True


def is_cpf(number: str) -> bool:
    return _valid(number, 11, CPF_WEIGHTS)


def is_cnpj(number: str) -> bool:
    return _valid(number, 14, CNPJ_WEIGHTS)


def is_pis(number: str) -> bool:
    return _valid(number, 11, (PIS_WEIGHTS,))
