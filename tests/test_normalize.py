from hypothesis import given
from hypothesis import strategies as st

from bot.bank.normalize import (
    ZWNJ,
    comparison_key,
    normalize_text,
    to_latin_digits,
    to_persian_digits,
)


def test_arabic_yeh_and_kaf_become_persian() -> None:
    assert normalize_text("كتاب يادگيري") == "کتاب یادگیری"


def test_arabic_indic_digits_become_persian_digits() -> None:
    assert normalize_text("٤٥٦") == "۴۵۶"


def test_doubled_and_stray_spaces_are_removed() -> None:
    assert normalize_text("  شبکه   عصبی  ، خوبه ؟ ") == "شبکه عصبی، خوبه؟"
    assert normalize_text("تابع ( ReLU )") == "تابع (ReLU)"


def test_line_breaks_are_kept_but_blank_runs_shrink() -> None:
    assert normalize_text("خط اول  \n\n\n\nخط دوم") == "خط اول\n\nخط دوم"


def test_correct_zwnj_is_kept() -> None:
    assert normalize_text(f"لایه{ZWNJ}های") == f"لایه{ZWNJ}های"
    assert normalize_text(f"می{ZWNJ}شه") == f"می{ZWNJ}شه"


def test_misplaced_zwnj_is_removed() -> None:
    assert normalize_text(f"لایه{ZWNJ}{ZWNJ}های") == f"لایه{ZWNJ}های"  # doubled
    assert normalize_text(f"{ZWNJ}سلام{ZWNJ}") == "سلام"  # at the ends
    assert normalize_text(f"شبکه {ZWNJ} عصبی") == "شبکه عصبی"  # beside a space
    assert normalize_text(f"ReLU{ZWNJ}ها") == "ReLUها"  # after a Latin letter
    assert normalize_text(f"دارو{ZWNJ}ها") == "داروها"  # after a letter that never joins


def test_decimal_points_and_formulas_are_untouched() -> None:
    assert normalize_text("max(0, x) = 0.25 .5") == "max(0, x) = 0.25 .5"


@given(st.text(alphabet="ابپکگیيكی ‌\n\t  .،؟()ReLU0123٤"))
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


def test_comparison_key_ignores_punctuation_case_and_zwnj() -> None:
    assert comparison_key("تابع ReLU چیه؟") == comparison_key("تابع  relu  چیه")
    assert comparison_key(f"لایه{ZWNJ}ها") == comparison_key("لایه ها")


def test_digit_conversion_round_trips() -> None:
    assert to_persian_digits("448") == "۴۴۸"
    assert to_latin_digits("۴۴۸") == "448"
