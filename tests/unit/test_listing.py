"""The fixed-width listings long PDF reports print (reports/listing.py)."""

from __future__ import annotations

from aidledger.reports.listing import Column, listing


def test_a_title_may_stand_on_two_lines_over_short_figures() -> None:
    text = listing((Column("Loan"), Column("Principal\noutstanding", right=True),
                    Column("Bucket")), [("3a488e33", "3,000.00", "31-60"),
                                        ("abc", "12.00", "current")])
    assert text.splitlines() == [
        "            Principal",
        "Loan      outstanding  Bucket",
        "-----------------------------",
        "3a488e33     3,000.00  31-60",
        "abc             12.00  current",
    ]


def test_long_text_wraps_onto_lines_of_its_own() -> None:
    text = listing((Column("Seq", right=True), Column("Memo", wrap=10)),
                   [(7, "Clinic bill for member 114")])
    assert text.splitlines()[2:] == ["  7  Clinic", "     bill for", "     member 114"]
