"""GIFT, Aiken and CSV: parsing as Moodle defines them, and lossless round trips."""

from pathlib import Path

import pytest

from bot.bank.formats.aiken import parse_aiken
from bot.bank.formats.common import FormatError
from bot.bank.formats.gift import parse_gift
from bot.bank.interchange import QuizFormat, export_quizzes, import_quizzes, quizzes_yaml
from bot.bank.issues import ContentError
from bot.bank.loader import Bank, load_bank
from bot.bank.schema import QuizItem
from tests.banks import write_bank

GIFT_SAMPLE = r"""// A comment line, ignored.
$CATEGORY: $course$/top/cnn

::pool-size:: خروجی Max Pooling ۲×۲ با گام ۲ روی ورودی ۸×۸ چه اندازه‌ای داره؟ {
=۴×۴ #درسته
~۸×۸ #نه، اندازه کم می‌شه
~۲×۲
####پنجرهٔ ۲×۲ با گام ۲ هر بُعد رو نصف می‌کنه.
}

// Escapes: \= \~ \# \{ \} \: and \n
::escapes:: در پایتون عبارت a \= \{1\: 2\} چه نوعی می‌سازه؟\nیک خط دیگه {
~مجموعه \~ set
=دیکشنری \# dict
~لیست
}

::multi:: کدوم‌ها تابع فعال‌سازی‌اند؟ {
~%50%ReLU
~%50%tanh
~%-100%Adam
}
"""


def items(text: str, fmt: QuizFormat, tmp_path: Path) -> list[QuizItem]:
    source = tmp_path / f"in.{fmt.value}"
    source.write_text(text, encoding="utf-8")
    return import_quizzes(
        source,
        fmt,
        load_bank(write_bank(tmp_path / "bank", {})),
        out_file="content/items/new.yaml",
        topic="activations",
    )


def test_gift_multiple_choice_subset(tmp_path: Path) -> None:
    pool, escapes, multi = items(GIFT_SAMPLE, QuizFormat.GIFT, tmp_path)
    assert pool.id == "pool-size"
    assert pool.topic == "cnn"
    assert pool.options == ["۴×۴", "۸×۸", "۲×۲"]
    assert pool.correct == [1]
    assert pool.explanation == "پنجرهٔ ۲×۲ با گام ۲ هر بُعد رو نصف می‌کنه."
    assert escapes.question == "در پایتون عبارت a = {1: 2} چه نوعی می‌سازه؟\nیک خط دیگه"
    assert escapes.options == ["مجموعه ~ set", "دیکشنری # dict", "لیست"]
    assert escapes.correct == [2]
    assert escapes.explanation is None
    assert multi.multiple
    assert multi.correct == [1, 2]


def test_gift_feedback_on_the_right_answer_becomes_the_explanation() -> None:
    (quiz,) = parse_gift("سوال؟ {=درست #چون درسته\n~غلط #نه}", "cnn", 1, set())
    assert quiz.fields["explanation"] == "چون درسته"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("سوال؟ {=پاسخ کوتاه =جواب دیگه}", "only multiple-choice"),
        ("سوال؟ {T}", "only multiple-choice"),
        ("سوال؟ {=a -> b ~c -> d}", "matching"),
        ("سوال بدون پاسخ", "answer block"),
        ("سوال {=a ~b} ادامه", "missing-word"),
    ],
)
def test_gift_outside_the_subset_is_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        parse_gift(text, "cnn", 1, set())


def test_aiken_as_moodle_writes_it(tmp_path: Path) -> None:
    text = (
        "کدوم بهینه‌ساز گشتاور دوم گرادیان رو تخمین می‌زنه؟\nA. SGD\nB) Adam\nC. Momentum\n"
        "ANSWER: B\n\nسوال دوم؟\nA. یک\nB. دو\nANSWER: A\n"
    )
    first, second = items(text, QuizFormat.AIKEN, tmp_path)
    assert first.options == ["SGD", "Adam", "Momentum"]
    assert first.correct == [2]
    assert first.id.startswith("aiken-")
    assert first.topic == "activations"
    assert second.correct == [1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("سوال؟\nA. یک\nB. دو\nANSWER: D\n", "names no option"),
        ("سوال؟\nA. یک\nC. دو\nANSWER: A\n", "where B was expected"),
        ("سوال؟\nA. یک\nB. دو\n", "ends before ANSWER"),
    ],
)
def test_aiken_mistakes_are_named(text: str, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        parse_aiken(text, "cnn", 1)


def test_import_errors_name_file_item_and_field(tmp_path: Path) -> None:
    text = "::bad:: سوال؟ {\n=" + "خ" * 101 + "\n~کوتاه\n}\n"
    with pytest.raises(ContentError) as caught:
        items(text, QuizFormat.GIFT, tmp_path)
    (issue,) = caught.value.issues
    assert issue.file.endswith("in.gift")
    assert issue.item == "bad (line 1)"
    assert issue.field == "options[1]"
    assert "at most 100" in issue.message


def fields(quiz: QuizItem, *names: str) -> tuple[object, ...]:
    return tuple(getattr(quiz, name) for name in names)


HELD = {
    QuizFormat.GIFT: ("id", "topic", "question", "options", "correct", "multiple", "explanation"),
    QuizFormat.AIKEN: ("question", "options", "correct"),
    QuizFormat.CSV: tuple(QuizItem.model_fields),
}


@pytest.mark.parametrize("fmt", list(QuizFormat))
def test_import_export_import_is_lossless_for_what_the_format_holds(
    fmt: QuizFormat, tmp_path: Path
) -> None:
    bank = load_bank(write_bank(tmp_path / "bank"))
    original = [located.item for located in bank.quizzes]
    exported = tmp_path / "export.txt"
    exported.write_text(export_quizzes(original, fmt), encoding="utf-8")
    empty = Bank(topics=bank.topics)
    first = import_quizzes(exported, fmt, empty, out_file="a.yaml", topic="cnn", difficulty=3)
    if fmt is not QuizFormat.AIKEN:  # Aiken has no one-line rule problem in this bank
        assert [fields(q, *HELD[fmt]) for q in first] == [fields(q, *HELD[fmt]) for q in original]
    again = tmp_path / "again.txt"
    again.write_text(export_quizzes(first, fmt), encoding="utf-8")
    second = import_quizzes(again, fmt, empty, out_file="a.yaml", topic="cnn", difficulty=3)
    assert second == first


def test_aiken_keeps_question_options_and_answer(tmp_path: Path) -> None:
    bank = load_bank(write_bank(tmp_path / "bank"))
    original = [located.item for located in bank.quizzes]
    exported = tmp_path / "export.txt"
    exported.write_text(export_quizzes(original, QuizFormat.AIKEN), encoding="utf-8")
    imported = import_quizzes(
        exported, QuizFormat.AIKEN, Bank(topics=bank.topics), out_file="a.yaml", topic="cnn"
    )
    assert [fields(q, *HELD[QuizFormat.AIKEN]) for q in imported] == [
        fields(q, *HELD[QuizFormat.AIKEN]) for q in original
    ]


def test_csv_is_excel_friendly(tmp_path: Path) -> None:
    bank = load_bank(write_bank(tmp_path / "bank"))
    text = export_quizzes([located.item for located in bank.quizzes], QuizFormat.CSV)
    assert text.startswith("\ufeffid,topic,difficulty,question,option_1")


def test_imported_yaml_is_a_valid_content_file(tmp_path: Path) -> None:
    quizzes = items(GIFT_SAMPLE, QuizFormat.GIFT, tmp_path)
    root = write_bank(tmp_path / "bank2", {})
    (root / "items" / "new.yaml").write_text(quizzes_yaml(quizzes), encoding="utf-8")
    reloaded = [located.item for located in load_bank(root).quizzes]
    assert reloaded == quizzes


def test_aiken_cannot_hold_several_right_answers(tmp_path: Path) -> None:
    *_, multi = items(GIFT_SAMPLE, QuizFormat.GIFT, tmp_path)
    with pytest.raises(ContentError, match="1 problem"):
        export_quizzes([multi], QuizFormat.AIKEN)


def refused(text: str | bytes, fmt: QuizFormat, tmp_path: Path, topic: str | None = "cnn") -> str:
    """What the importer says about a file it refuses, as the command prints it."""
    source = tmp_path / f"in.{fmt.value}"
    if isinstance(text, bytes):
        source.write_bytes(text)
    else:
        source.write_text(text, encoding="utf-8")
    bank = load_bank(write_bank(tmp_path / "bank", {}))
    with pytest.raises(ContentError) as caught:
        import_quizzes(source, fmt, bank, out_file="content/items/new.yaml", topic=topic)
    assert all(
        issue.file in (str(source), "content/items/new.yaml") for issue in caught.value.issues
    )
    return "\n".join(map(str, caught.value.issues))


def test_aiken_with_a_27th_option_is_refused_naming_the_question(tmp_path: Path) -> None:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = "سوال؟\n" + "".join(f"{letter}. گزینه {letter}\n" for letter in letters)
    message = refused(text + "A. یکی دیگه\nANSWER: A\n", QuizFormat.AIKEN, tmp_path)
    assert "question at line 1" in message
    assert "more than 26 options" in message


def test_csv_field_longer_than_the_csv_limit_names_its_line(tmp_path: Path) -> None:
    header = "id,question,option_1,option_2,correct\n"
    text = header + "q1,سوال؟,الف,ب,1\n" + 'q2,"' + "س" * 140_000 + '",الف,ب,1\n'
    message = refused(text, QuizFormat.CSV, tmp_path)
    assert "in.csv: line 3: not valid CSV" in message


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("[" * 100_000, "nested too deeply"),
        ('{""kind"": ""x"", ""expect"": ' + "[" * 20 + "1" + "]" * 20 + "}", "more than 8 deep"),
        ('{""kind"": ""\\ud800"", ""expect"": 1}', "U+D800"),
        ('{""kind"": ""x"", ""expect"": ' + "9" * 5000 + "}", "not valid JSON"),
    ],
)
def test_a_broken_csv_claim_is_named(claim: str, expected: str, tmp_path: Path) -> None:
    text = f'id,question,option_1,option_2,correct,claim\nq1,سوال؟,الف,ب,1,"{claim}"\n'
    message = refused(text, QuizFormat.CSV, tmp_path)
    assert "item q1: field claim" in message
    assert expected in message


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    text = "سوال؟ {\n=درست\n~غلط \xff\n}\n".encode().replace(b"\xc3\xbf", b"\xff")
    message = refused(text, QuizFormat.GIFT, tmp_path)
    assert "line 3: byte 0xff is not UTF-8" in message


def test_a_nul_character_is_refused_before_it_reaches_the_database(tmp_path: Path) -> None:
    message = refused("سوال؟\nA. یک\x00\nB. دو\nANSWER: A\n", QuizFormat.AIKEN, tmp_path)
    assert "line 2: holds a NUL character" in message


def test_options_differing_only_in_brackets_or_sign_are_different_answers(tmp_path: Path) -> None:
    text = (
        "::range:: بُرد کدوم تابع بازهٔ باز (0, 1) است؟ {\n=(0, 1)\n~[0, 1]\n~(-1, 1)\n~-1\n~1\n}\n\n"
        "::escaped:: کدوم نوشتن درسته؟ {\n=x \\= f\\{a\\}\\: b\n~x f a b\n}\n"
    )
    ranges, escaped = items(text, QuizFormat.GIFT, tmp_path)
    assert ranges.options == ["(0, 1)", "[0, 1]", "(-1, 1)", "-1", "1"]
    assert escaped.options == ["x = f{a}: b", "x f a b"]


@pytest.mark.parametrize(
    ("first", "second"),
    [("ReLU", "relu "), ("لایه‌ها", "لایه ها"), ("(0,1)", "( 0, 1 )"), ("كتاب", "کتاب")],
)
def test_options_that_read_the_same_are_still_repeats(
    first: str, second: str, tmp_path: Path
) -> None:
    message = refused(f"سوال؟ {{\n={first}\n~{second}\n~دیگه\n}}\n", QuizFormat.GIFT, tmp_path)
    assert "option 2 repeats option 1" in message


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        (QuizFormat.AIKEN, "سوال؟\nA. یک\nB. دو\nANSWER: A\n"),
        (QuizFormat.AIKEN, "سوال؟\nA. " + "خ" * 101 + "\nB. دو\nANSWER: A\n"),  # and too long
        (QuizFormat.GIFT, "$CATEGORY: $course$/top/astrology\nسوال؟ {=یک ~دو}\n"),
    ],
)
def test_a_file_that_places_no_topic_says_to_pass_one(
    fmt: QuizFormat, text: str, tmp_path: Path
) -> None:
    message = refused(text, fmt, tmp_path, topic=None)
    assert "pass --topic TOPIC (one of: activations, cnn)" in message
    assert "unknown topic ''" not in message


def test_a_long_run_of_white_space_inside_a_question_is_one_space(tmp_path: Path) -> None:
    spaces = " " * 50_000
    text = f"سوال{spaces}اول؟ {{\n=یک{spaces}\n\n{spaces}\n~دو\n}}\n" + "\n" * 50_000
    (quiz,) = items(text, QuizFormat.GIFT, tmp_path)
    assert quiz.question == "سوال اول؟"
    assert quiz.options == ["یک", "دو"]


def test_blank_spreadsheet_rows_are_skipped(tmp_path: Path) -> None:
    header = "id,question,option_1,option_2,correct\n"
    text = header + ",,,,\n  , ,,,\n" + "q1,سوال؟,الف,ب,1\n" + ",,,,\n" * 3
    (quiz,) = items(text, QuizFormat.CSV, tmp_path)
    assert quiz.id == "q1"
