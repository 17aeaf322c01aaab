"""The bank's one house style, as patterns: each finds a way of writing the style rules out.

The style (content/README.md): colloquial like the seed channel, with «یک» (not «یه»), the
ezafe «ـهٔ» (not «ـه‌ی»), «می‌»/«نمی‌» always joined by a zero-width non-joiner, the Persian
decimal separator «٫» between Persian digits, and colloquial verbs rather than «است»/«می‌باشد».
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.bank.normalize import ZWNJ

# A word boundary for Persian: no letter, digit or ZWNJ on that side.
_START = rf"(?<![\w{ZWNJ}])"
_END = rf"(?![\w{ZWNJ}])"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Verb stems that follow the prefix «می»/«نمی». A word that merely starts with «می» (میانگین،
# میزان، میلیون، میدان، میانه، مید) is not a verb and must not be flagged, so the joined form is
# matched only as prefix + a known stem + a personal ending, never as "any word after «می»".
_PRESENT_STEMS = _words(
    "ش شو کن تون توان دون دان گ گو گیر خوا خواه خور ر رو ا آ آی د ده بین بر زن ذار گذار گذر "
    "ساز رس رسون مون مان پرس فهم گرد گردون افت فت نویس خون خوان پذیر چرخ ریز بخش سنج کش "
    "شناس شمار شمر لغز یاب آموز شکن کوب کاه افزا چسب پوش چین لرز ترس سوز باش تاب بند خواب "
    "دو پاش جوش ارز مال پیچ سپار"
)
_PAST_STEMS = _words(
    "شد کرد تونست توانست دونست دانست گفت گرفت خواست خورد رفت اومد آمد داد دید برد زد ذاشت "
    "گذاشت ساخت رسید موند ماند پرسید فهمید گشت افتاد نوشت خوند خواند پذیرفت چرخید ریخت بخشید "
    "سنجید کشید شناخت شمرد لغزید یافت آموخت شکست بود"
)
_PRESENT_ENDINGS = ("ه", "ن", "م", "ی", "یم", "ید", "ین", "ند", "د")
_PAST_ENDINGS = ("", "م", "ی", "یم", "ید", "ین", "ن", "ند", "ه")
# «میان» (between) is far more often the noun than «می‌آن» (they come).
_NOT_VERBS = frozenset({"ان", "اند"})


def _joined_forms() -> list[str]:
    forms = {stem + ending for stem in _PRESENT_STEMS for ending in _PRESENT_ENDINGS}
    forms |= {stem + ending for stem in _PAST_STEMS for ending in _PAST_ENDINGS}
    return sorted(forms - _NOT_VERBS, key=len, reverse=True)


@dataclass(frozen=True)
class StyleRule:
    """One way of breaking the house style: its name, what to write instead, its pattern."""

    name: str
    advice: str
    pattern: re.Pattern[str]


STYLE_RULES = (
    StyleRule("yeh", "«یک», not «یه»", re.compile(rf"{_START}یه{_END}")),
    StyleRule(
        "ezafe",
        "the ezafe after a silent «ه» is «ـهٔ», not «ـه‌ی» or «ـه ی»",
        re.compile(rf"(?<=\w)ه(?:{ZWNJ}| )ی{_END}"),
    ),
    StyleRule(
        "mi-spaced",
        "«می‌»/«نمی‌» joined with a zero-width non-joiner, not a space",
        re.compile(rf"{_START}ن?می (?=[\u0621-\u06cc])"),
    ),
    StyleRule(
        "mi-joined",
        "«می‌»/«نمی‌» with a zero-width non-joiner («می‌شه», not «میشه»)",
        re.compile(rf"{_START}ن?می(?:{'|'.join(_joined_forms())}){_END}"),
    ),
    StyleRule(
        "decimal",
        "the decimal separator between Persian digits is «٫», not «.»",
        re.compile(r"[۰-۹]\.[۰-۹]"),
    ),
    StyleRule(
        "formal",
        "colloquial verbs («هست»، «ه»), not formal «است»/«می‌باشد»",
        re.compile(rf"(?<!\w)است{_END}|{_START}ن?می(?:{ZWNJ}| )?باشد{_END}"),
    ),
)


def style_breaks(text: str) -> list[tuple[StyleRule, str]]:
    """Every house-style rule `text` breaks, each with the words that break it."""
    found = []
    for rule in STYLE_RULES:
        for match in rule.pattern.finditer(text):
            start, end = match.start(), match.end()
            while start > 0 and not text[start - 1].isspace():
                start -= 1
            while end < len(text) and not text[end].isspace():
                end += 1
            found.append((rule, text[start:end]))
    return found
