from pathlib import Path
from typing import Any

import pytest

from bot.bank.issues import ContentError, ContentIssue
from bot.bank.loader import load_bank
from bot.bank.normalize import ZWNJ
from tests.banks import bank_data, write_bank


def issues_of(root: Path) -> list[ContentIssue]:
    with pytest.raises(ContentError) as caught:
        load_bank(root)
    return caught.value.issues


def broken(tmp_path: Path, change: Any) -> list[ContentIssue]:
    data = bank_data()
    change(data)
    return issues_of(write_bank(tmp_path, data))


def test_a_valid_bank_loads_every_item(tmp_path: Path) -> None:
    bank = load_bank(write_bank(tmp_path))
    assert [topic.id for topic in bank.topics] == ["activations", "cnn"]
    assert [q.item.id for q in bank.quizzes] == ["act-relu-grad", "act-sigmoid-max", "cnn-params"]
    assert bank.quizzes[1].item.correct_indexes == [2]
    assert bank.quizzes[1].item.claim == {
        "kind": "activation_derivative_max",
        "function": "sigmoid",
        "expect": 0.25,
    }
    assert bank.quizzes[0].file == "content/items/main.yaml" or bank.quizzes[0].file.endswith(
        "items/main.yaml"
    )
    assert bank.interview_questions[0].item.answer[0].startswith("مشتقش")
    assert bank.lessons[0].item.hashtags == ["#Deep_Learning", "#CNN"]


def test_text_is_normalised_on_load(tmp_path: Path) -> None:
    data = bank_data()
    data["quizzes"][0]["question"] = "مشتق  ReLU براي ورودي‌‌هاي منفي چقدره ؟"
    data["quizzes"][0]["options"][0] = "صفر "
    bank = load_bank(write_bank(tmp_path, data))
    assert bank.quizzes[0].item.question == f"مشتق ReLU برای ورودی{ZWNJ}های منفی چقدره؟"
    assert bank.quizzes[0].item.options[0] == "صفر"


def test_numbers_in_options_stay_text(tmp_path: Path) -> None:
    path = write_bank(tmp_path)
    text = (path / "items" / "main.yaml").read_text().replace("- ۴۴۸", "- 448.0")
    (path / "items" / "main.yaml").write_text(text)
    bank = load_bank(path)
    assert bank.quizzes[2].item.options[1] == "448.0"


def test_every_error_names_file_item_and_field_in_one_run(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["quizzes"][0]["explanation"] = "خ" * 201
        data["quizzes"][1]["options"][1] = "۱"  # repeats option 1
        data["quizzes"][2]["correct"] = 7
        data["interview_questions"][0]["topic"] = "astrology"
        del data["lessons"][0]["title"]

    found = {(i.item, i.field) for i in broken(tmp_path, change)}
    assert found == {
        ("act-relu-grad", "explanation"),
        ("act-sigmoid-max", "options"),
        ("cnn-params", "correct"),
        ("int-why-relu", "topic"),
        ("les-padding", "title"),
    }


def test_messages_say_what_is_wrong(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["quizzes"][0]["explanation"] = "خ" * 201

    (issue,) = broken(tmp_path, change)
    assert issue.file.endswith("items/main.yaml")
    assert "201 characters" in issue.message
    assert "200" in issue.message
    assert str(issue).startswith(issue.file)
    assert "item act-relu-grad" in str(issue)
    assert "field explanation" in str(issue)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("question", "س" * 301, "at most 300"),
        ("options", ["فقط یکی"], "at least 2"),
        ("options", [f"گزینه {i}" for i in range(13)], "at most 12"),
        ("correct", [1, 2], "exactly one correct"),
        ("correct", 0, "not an option position"),
        ("difficulty", 4, "less than or equal to 3"),
        ("demo", "astrology", "activations"),
        ("explanation", "یک\nدو\nسه\nچهار", "line breaks"),
        ("id", "Bad Id!", "pattern"),
        ("colour", "blue", "Extra inputs"),
    ],
)
def test_quiz_rules(tmp_path: Path, field: str, value: Any, expected: str) -> None:
    def change(data: dict[str, Any]) -> None:
        data["quizzes"][0][field] = value

    issues = broken(tmp_path, change)
    assert any(expected in issue.message for issue in issues), issues
    assert all(issue.item in ("act-relu-grad", "Bad Id!") for issue in issues)


def test_multiple_answers_need_the_flag(tmp_path: Path) -> None:
    data = bank_data()
    data["quizzes"][0]["correct"] = [1, 2]
    data["quizzes"][0]["multiple"] = True
    bank = load_bank(write_bank(tmp_path, data))
    assert bank.quizzes[0].item.correct_indexes == [0, 1]


def test_duplicate_ids_across_files_name_both_files(tmp_path: Path) -> None:
    root = write_bank(tmp_path)
    write_bank(
        root,
        {
            "quizzes": [
                dict(bank_data()["quizzes"][2], question="سوالی کاملا متفاوت درباره پولینگ؟")
            ]
        },
        file="other.yaml",
    )
    (issue,) = issues_of(root)
    assert issue.item == "cnn-params"
    assert issue.field == "id"
    assert "main.yaml" in issue.message
    assert issue.file.endswith("other.yaml")


def test_near_duplicate_questions_are_reported(tmp_path: Path) -> None:
    data = bank_data()
    twin = dict(data["quizzes"][0], id="act-relu-grad-2")
    twin["question"] = "مشتق ReLU برای ورودی های منفی چقدر است؟"
    data["quizzes"].append(twin)
    (issue,) = issues_of(write_bank(tmp_path, data))
    assert (issue.item, issue.field) == ("act-relu-grad-2", "question")
    assert "near-duplicate of quiz act-relu-grad" in issue.message


def test_the_stock_phrasings_do_not_make_questions_alike(tmp_path: Path) -> None:
    data = bank_data()
    for number, subject in enumerate(["softmax", "LSTM", "Adam"]):
        data["quizzes"].append(
            dict(
                data["quizzes"][0],
                id=f"q-not-true-{number}",
                question=f"دربارهٔ {subject} کدوم گزینه درست نیست؟",
            )
        )
    assert len(load_bank(write_bank(tmp_path, data)).quizzes) == 6
    data["quizzes"].append(
        dict(data["quizzes"][0], id="q-twin", question="دربارهٔ LSTM، کدوم گزینه نادرسته؟")
    )
    (issue,) = issues_of(write_bank(tmp_path / "twin", data))
    assert (issue.item, issue.message) == (
        "q-twin",
        "near-duplicate of quiz q-not-true-1 in twin/items/main.yaml",
    )


def test_a_key_written_twice_is_an_error_not_an_overwrite(tmp_path: Path) -> None:
    root = write_bank(tmp_path)
    path = root / "items" / "main.yaml"
    path.write_text(
        path.read_text().replace("  difficulty: 1\n", "  difficulty: 1\n  difficulty: 2\n", 1)
    )
    (issue,) = issues_of(root)
    assert "appears twice" in issue.message
    assert "line" in issue.message


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    root = write_bank(tmp_path)
    (root / "items" / "bad.yaml").write_text("quizzes:\n  - id: x\n   topic: [\n")
    (issue,) = issues_of(root)
    assert issue.file.endswith("bad.yaml")
    assert "line" in issue.message


def test_unknown_section_and_non_mapping_items(tmp_path: Path) -> None:
    root = write_bank(tmp_path, {"quizes": [], "lessons": ["just text"]})
    messages = {(i.item, i.message.split(";")[0]) for i in issues_of(root)}
    assert (None, "unknown section(s) ['quizes']") in messages
    assert ("#1", "must be a mapping of fields") in messages


def test_post_that_would_not_fit_one_message_is_refused(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["lessons"][0]["body"] = "متن " * 1000

    (issue,) = broken(tmp_path, change)
    assert issue.field == "body"
    assert "characters" in issue.message


def test_missing_topics_file(tmp_path: Path) -> None:
    root = write_bank(tmp_path)
    (root / "topics.yaml").unlink()
    issues = issues_of(root)
    assert any(i.file.endswith("topics.yaml") and "missing" in i.message for i in issues)


def file_issue(tmp_path: Path, content: str | bytes) -> str:
    """The single problem reported for an items file holding `content`."""
    root = write_bank(tmp_path)
    path = root / "items" / "bad.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    (issue,) = issues_of(root)
    assert issue.file.endswith("items/bad.yaml")
    return issue.message


QUIZ = "quizzes:\n  - id: q\n    topic: cnn\n    difficulty: 1\n    question: سوال؟\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"quizzes:\n  - id: q\n    question: \xff\n", "line 3: byte 0xff is not UTF-8"),
        ("quizzes:\n  - ? [a, b]\n    : 1\n", "a key must be plain text"),
        ("quizzes: " + "[" * 5000 + "\n", "nested more than 32 levels deep"),
        (QUIZ + '    options: ["\\ud800", b]\n    correct: 1\n', "U+D800, half of a surrogate"),
        (QUIZ + '    options: ["a\\0", b]\n    correct: 1\n', "holds a NUL character"),
    ],
)
def test_a_file_no_parser_could_hold_is_refused_naming_it(
    tmp_path: Path, content: str | bytes, expected: str
) -> None:
    message = file_issue(tmp_path, content)
    assert expected in message
    assert "line" in message


def test_aliases_that_expand_to_billions_of_values_are_refused(tmp_path: Path) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    claim = "\n".join(f"      {level}" for level in levels)
    content = QUIZ + f"    options: [a, b]\n    correct: 1\n    claim:\n{claim}\n"
    assert "values with aliases expanded" in file_issue(tmp_path, content)


def test_a_claim_nested_deeper_than_any_fact_needs_is_refused(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        nested: Any = 0.25
        for _ in range(10):
            nested = [nested]
        data["quizzes"][1]["claim"]["expect"] = nested

    (issue,) = broken(tmp_path, change)
    assert (issue.item, issue.field) == ("act-sigmoid-max", "claim")
    assert "more than 8 deep" in issue.message
