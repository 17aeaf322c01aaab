from hypothesis import given
from hypothesis import strategies as st

from bot.bank.normalize import (
    ZWNJ,
    comparison_key,
    normalize_text,
    option_key,
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


def test_option_key_keeps_signs_and_brackets() -> None:
    assert option_key("(0, 1)") != option_key("[0, 1]")
    assert option_key("-1") != option_key("1")
    assert option_key("x = f{a}: b") != option_key("x f a b")


def test_option_key_ignores_what_a_reader_does_not_see_as_another_answer() -> None:
    assert option_key("ReLU") == option_key(" relu ")
    assert option_key(f"لایه{ZWNJ}ها") == option_key("لایه ها")
    assert option_key("كتاب") == option_key("کتاب")
    assert option_key("(0,1)") == option_key("( 0 , 1 )")
    assert option_key("کُد") == option_key("کد")  # a short-vowel mark
    assert option_key("ReLU\u200f") == option_key("ReLU")  # a bidi mark


def test_zwnj_beside_long_runs_of_white_space_becomes_one_space() -> None:
    spaces = " " * 50_000
    assert normalize_text(f"شبکه{spaces}{ZWNJ}\n\n{spaces}عصبی") == "شبکه عصبی"
    assert normalize_text(f"شبکه{spaces}\n\n{spaces}عصبی") == "شبکه\n\nعصبی"
    assert normalize_text(f"{ZWNJ}{spaces}{ZWNJ}{ZWNJ}سلام") == "سلام"


def test_digit_conversion_round_trips() -> None:
    assert to_persian_digits("448") == "۴۴۸"
    assert to_latin_digits("۴۴۸") == "448"
