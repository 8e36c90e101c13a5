"""Amounts no entry point may take, with the message the person or system is told; the tests of
every entry point (staff forms, the JSON API, the import) run through the same tables, each
sending every row in one test and comparing what every row got with what it must get."""

from __future__ import annotations

NOT_A_NUMBER = "Must be a number written with the digits 0-9, like 12.50."
TOO_LARGE = "Must be less than 1,000,000,000"  # a price's limit, and the start of an order's

#: Text typed into a form or sent as a JSON string, where the currency is USD.
BAD_AMOUNT_TEXTS = [
    ("NaN", NOT_A_NUMBER),
    ("-NaN", NOT_A_NUMBER),
    ("sNaN", NOT_A_NUMBER),
    ("Infinity", NOT_A_NUMBER),
    ("-Infinity", NOT_A_NUMBER),
    ("1e309", NOT_A_NUMBER),
    ("1e999999999", NOT_A_NUMBER),
    (str(10**30), TOO_LARGE),
    ("١٢", NOT_A_NUMBER),
    ("１２", NOT_A_NUMBER),
    ("0.335", "USD amounts have at most 2 decimals."),
]

#: JSON numbers as a body writes them (Python's JSON reader takes NaN and Infinity, and reads
#: 1e309 as an infinity).
BAD_JSON_NUMBERS = [
    ("NaN", "Must be a finite number."),
    ("Infinity", "Must be a finite number."),
    ("-Infinity", "Must be a finite number."),
    ("1e309", "Must be a finite number."),
    ("1e999999999", "Must be a finite number."),
    (str(10**30), TOO_LARGE),
    ("true", "Must be a number."),
]

#: Whole numbers no id, quantity or version field may take.
BAD_WHOLE_NUMBERS = [str(2**64), str(10**30), "-1", "١٢", "１２", "1_000", "2.5", "1e3"]


def said(text: str, message: str) -> str:
    """``message`` when ``text`` says it, else the whole of ``text``: a row's answer then equals
    what the row must be told, and a row told something else shows what it was told instead."""
    return message if message in text else text


def opens_with(text: str, opening: str) -> str:
    """``opening`` when ``text`` starts with it, else the whole of ``text`` (as ``said``)."""
    return opening if text.startswith(opening) else text
