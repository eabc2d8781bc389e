"""The one definition of the control characters text may not hold (``workflow/text.py``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from workflow.text import LongText, SingleLine, one_line

CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]] + ["\u2028", "\u2029"]
single = TypeAdapter(SingleLine)
long = TypeAdapter(LongText)


@pytest.mark.parametrize("char", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_one_line_refuses_every_control_character(char: str) -> None:
    with pytest.raises(ValidationError, match="control characters"):
        single.validate_python(f"before{char}after")


@pytest.mark.parametrize("char", [c for c in CONTROLS if c not in "\t\n\r"], ids=repr)
def test_long_text_refuses_all_but_line_breaks_and_tabs(char: str) -> None:
    with pytest.raises(ValidationError, match="control characters"):
        long.validate_python(f"before{char}after")


def test_long_text_keeps_line_feeds_and_tabs_and_makes_crlf_lf() -> None:
    assert long.validate_python("a\r\nb\rc\nd\te") == "a\nb\nc\nd\te"
    plain = "Day Opportunities — £5 (Café)"
    assert single.validate_python(plain) == plain


@given(st.text())
def test_one_line_leaves_text_that_a_single_line_field_accepts(text: str) -> None:
    folded = one_line(text)
    assert len(folded) == len(text)
    assert single.validate_python(folded) == folded
    if not any(c in CONTROLS for c in text):
        assert folded == text
