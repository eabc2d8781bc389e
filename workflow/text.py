"""What counts as text a person typed: the one definition of the control characters refused.

A control character in a title or a name has no meaning to a reader and several to a machine:
CR/LF splits an email header (a case title with CRLF made every reminder of its case fail),
NUL is refused by PostgreSQL (a 500 instead of a 422), and the rest hide in logs and CSVs.
So every text field of every input body refuses them at the schema, with a 422 naming the
field. Long text (a report, reasons, a resolution) keeps its line breaks and tabs: people
write paragraphs and paste tables there. A browser's textarea sends CRLF, so long text has
its line endings made ``\\n`` before the check rather than refused.

Text stored before the check existed may still hold them: ``one_line`` folds any control
character to a space where text must stay on one line (an email's Subject).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

# C0 controls, DEL and the C1 controls; and the Unicode line and paragraph separators, which
# Python's own ``str.splitlines`` (and so the email package) treat as line breaks.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The same, less the line feed and the tab that long text may keep.
_CONTROL_IN_LONG_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_ENDINGS = re.compile(r"\r\n?")


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def refuse_controls(value: object) -> object:
    """For one-line text: names, titles, references, search terms. (Anything but a string is
    left to the field's own type, so this also serves an optional field.)"""
    if isinstance(value, str):
        found = _CONTROL.search(value)
        if found:
            raise ValueError(
                f"must be one line of text without control characters (found {_describe(found[0])})"
            )
    return value


def long_text(value: object) -> object:
    """For long text: line endings made ``\\n`` (a textarea sends CRLF), then line feeds and
    tabs are kept and every other control character refused."""
    if isinstance(value, str):
        value = _LINE_ENDINGS.sub("\n", value)
        found = _CONTROL_IN_LONG_TEXT.search(value)
        if found:
            raise ValueError(
                "must not contain control characters other than line breaks and tabs "
                f"(found {_describe(found[0])})"
            )
    return value


def one_line(value: str) -> str:
    """Every control character (and line separator) as a space: for text already stored that
    must go where a line break would end it, such as an email header."""
    return _CONTROL.sub(" ", value)


# The checks, to put after a field's own bounds: ``Annotated[str, Field(max_length=500),
# ONE_LINE]``. (Placed before the bounds, pydantic would check the length as a generic
# sequence, and the messages would speak of "items".)
ONE_LINE = AfterValidator(refuse_controls)
LONG_TEXT = BeforeValidator(long_text)
# For text with no bounds of its own.
SingleLine = Annotated[str, ONE_LINE]
LongText = Annotated[str, LONG_TEXT]
