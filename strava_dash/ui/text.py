"""The athlete's own text (names, gear, notes) shown literally by markdown elements.

Streamlit renders ``st.markdown``, ``st.caption``, ``st.subheader`` and the like as
GitHub markdown plus its own codes: ``:material/icon:`` becomes an icon, ``:smile:`` an
emoji, ``$x$`` maths, and a bare ``https://…`` or ``www.…`` a link without any markup.
A name is data, never markup: every element that shows one gets it through
:func:`literal`.
"""

from __future__ import annotations

import re
from typing import Final

_MARKDOWN: Final = "\\`*_{}[]()#+-.!|<>~$:=\"'&"
# Bare URLs and e-mail addresses are linked by GitHub markdown without any markup.
_AUTOLINK: Final = re.compile(r"://|www\.|@", re.IGNORECASE)
# Where Streamlit would see an icon or emoji code: ":material/home:", ":fire:", ":+1:".
_CODE: Final = re.compile(r":(?=[\w+\-/]+:)")
# A line break would end a heading (the rest of a title falls out of it) or a list item.
_LINE_BREAKS: Final = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
JOINER: Final = "\u2060"
"""WORD JOINER: invisible, and breaks the patterns that turn text into links or icons."""


def literal(text: str) -> str:
    """``text`` as markdown that shows exactly ``text`` (line breaks as spaces).

    Markdown punctuation is backslash-escaped. An invisible word joiner follows the
    colon that opens anything shaped like a ``:material/…:`` or ``:emoji:`` code, and
    sits inside every ``://``, ``www.`` and ``@``, which markdown would otherwise link.
    """
    one_line = _LINE_BREAKS.sub(" ", text)
    unlinked = _AUTOLINK.sub(lambda m: m.group(0)[:-1] + JOINER + m.group(0)[-1], one_line)
    uncoded = _CODE.sub(":" + JOINER, unlinked)
    return "".join("\\" + ch if ch in _MARKDOWN else ch for ch in uncoded)
