"""Normalisation of Persian text written by humans in the content files."""

from __future__ import annotations

import re
import unicodedata

ZWNJ = "\u200c"

_CHAR_MAP = str.maketrans(
    {
        "ي": "ی",  # Arabic yeh
        "ى": "ی",  # Arabic alef maksura, often typed for yeh
        "ك": "ک",  # Arabic kaf
        **{chr(0x0660 + digit): chr(0x06F0 + digit) for digit in range(10)},  # Arabic-Indic digits
        "\u00a0": " ",  # no-break space
        "\u200b": "",  # zero-width space: invisible noise from copy and paste
        "\ufeff": "",
    }
)

# Letters that never join the following letter: a ZWNJ after them changes nothing.
_NON_JOINING = "اآأإدذرزژوؤة"
_PERSIAN_LETTER = r"[\u0620-\u064A\u066E-\u06D3\u06D5\u06FA-\u06FF]"
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+([،؛؟!?.,;:)\]»](?=\s|$))")
_SPACE_AFTER_OPEN = re.compile(r"([(\[«])[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t]{2,}")
# A whole run of white space and ZWNJs in one match, so each character is looked at once
# (`\s*ZWNJ\s+|\s+ZWNJ\s*` rescanned a long run of spaces from every one of its positions).
_SPACE_OR_ZWNJ_RUN = re.compile(rf"[\s{ZWNJ}]+")


def _space_for_zwnj_beside_space(run: re.Match[str]) -> str:
    text = run.group()
    return " " if ZWNJ in text and text.strip(ZWNJ) else text


def _clean_zwnj(text: str) -> str:
    if ZWNJ not in text:
        return text
    text = re.sub(f"{ZWNJ}+", ZWNJ, text)
    # Next to white space or at either end it only hides a typo.
    text = _SPACE_OR_ZWNJ_RUN.sub(_space_for_zwnj_beside_space, text)
    # Only meaningful between two Persian letters, after one that joins.
    text = re.sub(rf"(?<!{_PERSIAN_LETTER}){ZWNJ}|{ZWNJ}(?!{_PERSIAN_LETTER})", "", text)
    return re.sub(f"([{_NON_JOINING}]){ZWNJ}", r"\1", text)


def normalize_text(text: str) -> str:
    """Persian ی/ک and digits, one space between words, ZWNJ only where it belongs.

    Line breaks are kept (at most one blank line in a row); each line is trimmed.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_CHAR_MAP)
    text = _clean_zwnj(text)
    lines = []
    for line in text.split("\n"):
        line = _SPACES.sub(" ", line.replace("\t", " ")).strip()
        line = _SPACE_BEFORE_PUNCT.sub(r"\1", line)
        lines.append(_SPACE_AFTER_OPEN.sub(r"\1", line))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


_PUNCTUATION = re.compile(r"[^\w\s]|_")


def comparison_key(text: str) -> str:
    """A form of `text` for spotting duplicates: no punctuation, case or ZWNJ differences."""
    text = normalize_text(text).replace(ZWNJ, " ")
    text = _PUNCTUATION.sub(" ", text.casefold())
    return " ".join(text.split())


_WORD_OR_SIGN = re.compile(r"\w+|[^\w\s]")


def _counts(char: str) -> bool:
    # Bidi marks and other format characters (Cf) change nothing a reader sees, and Persian
    # leaves short vowels (marks, Mn) to the writer: they do not make another answer.
    return char == ZWNJ or unicodedata.category(char) not in ("Cf", "Mn")


def option_key(text: str) -> str:
    """A form of an option for spotting repeats: no case, ZWNJ, vowel mark or spacing differences.

    Unlike `comparison_key` every sign and bracket counts: `(0, 1)` and `[0, 1]`, or `-1` and
    `1`, are different answers. Space counts only between two words, so `(0,1)` is `(0, 1)`.
    """
    text = "".join(filter(_counts, normalize_text(text))).replace(ZWNJ, " ").casefold()
    return " ".join(_WORD_OR_SIGN.findall(text))


_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_LATIN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def to_persian_digits(text: str) -> str:
    """Replace Latin digits with Persian ones."""
    return text.translate(_PERSIAN_DIGITS)


def to_latin_digits(text: str) -> str:
    """Replace Persian and Arabic-Indic digits with Latin ones."""
    return text.translate(_LATIN_DIGITS)
