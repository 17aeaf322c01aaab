"""Each item-writing rule reports the ids that break it; the shipped bank breaks none."""

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.bank.lint import LintFinding, lint_bank
from bot.bank.loader import load_bank
from bot.bank.style import style_breaks
from bot.cli.main import app
from bot.config import DEFAULT_CONTENT_DIR
from tests.banks import write_bank

WORDS = [
    "شبکه",
    "لایه",
    "وزن",
    "گرادیان",
    "داده",
    "مدل",
    "خطا",
    "ورودی",
    "خروجی",
    "نورون",
    "بایاس",
    "پیچش",
    "دسته",
    "گام",
    "نرخ",
    "تابع",
    "هزینه",
    "دقت",
    "حافظه",
    "توجه",
]


def quiz(number: int, **fields: Any) -> dict[str, Any]:
    """A valid quiz whose question differs enough from every other number's."""
    words = [WORDS[(number * 7 + i * 3) % len(WORDS)] for i in range(4)]
    base = {
        "id": f"q-{number}",
        "topic": "cnn",
        "difficulty": 1 + number % 3,
        "question": f"سوال {number}: {' '.join(words)} {number * 37}؟",
        "options": [
            f"پاسخ {number} آ",
            f"پاسخ {number} ب",
            f"پاسخ {number} پ",
            f"پاسخ {number} ت",
        ],
        "correct": 1 + number % 4,
        "explanation": f"توضیح شماره {number}",
    }
    base.update(fields)
    return base


def varied(count: int = 12) -> list[dict[str, Any]]:
    """`count` four-option quizzes and the mix the bank must hold: 2, 3 and 5 options, a
    multiple-answer quiz and a «which is NOT true» quiz."""
    quizzes = [quiz(n) for n in range(count)]
    two, three, five, several, not_true = (quiz(count + i) for i in range(5))
    two.update(options=two["options"][:2], correct=1)
    three.update(options=three["options"][:3], correct=2)
    five.update(options=[*five["options"], f"پاسخ {count + 2} ث"], correct=5)
    several.update(correct=[1, 3], multiple=True)
    several["question"] += " (ممکنه بیش از یکی درست باشه)"
    not_true["question"] = not_true["question"].replace("؟", "، کدوم گزینه درست نیست؟")
    return [*quizzes, two, three, five, several, not_true]


def findings(
    tmp_path: Path,
    quizzes: list[dict[str, Any]],
    interviews: list[dict[str, Any]] | None = None,
    lessons: list[dict[str, Any]] | None = None,
) -> dict[str, LintFinding]:
    items = {"quizzes": quizzes, "interview_questions": interviews or [], "lessons": lessons or []}
    root = write_bank(tmp_path, items)
    found: dict[str, LintFinding] = {}
    for finding in lint_bank(load_bank(root), root):
        if finding.rule in found:  # one rule may report several times (variety)
            found[finding.rule].message += f"; {finding.message}"
            found[finding.rule].ids += finding.ids
        else:
            found[finding.rule] = finding
    return found


def test_a_clean_bank_has_no_findings(tmp_path: Path) -> None:
    assert findings(tmp_path, varied()) == {}


def test_correct_answers_piled_on_one_position(tmp_path: Path) -> None:
    quizzes = [quiz(n, correct=2 if n < 5 else 1 + n % 4) for n in range(12)]
    found = findings(tmp_path, quizzes)["position-balance"]
    assert "option 2 is correct in 7 of 12" in found.message
    assert {"q-0", "q-1", "q-4"} <= set(found.ids)


def test_correct_answer_usually_the_longest(tmp_path: Path) -> None:
    quizzes = [quiz(n) for n in range(10)]
    for q in quizzes[:5]:
        q["options"][q["correct"] - 1] += " که خیلی مفصل و طولانی نوشته شده"
    found = findings(tmp_path, quizzes)["longest-correct"]
    assert sorted(found.ids) == ["q-0", "q-1", "q-2", "q-3", "q-4"]


def test_catch_all_options(tmp_path: Path) -> None:
    quizzes = [quiz(n) for n in range(8)]
    quizzes[3]["options"][3] = "همه موارد"
    quizzes[5]["options"][0] = "هیچ‌کدام"
    quizzes[6]["options"][2] = "All of the above"
    assert findings(tmp_path, quizzes)["catch-all-option"].ids == ["q-3", "q-5", "q-6"]


def test_two_quizzes_testing_the_same_fact(tmp_path: Path) -> None:
    quizzes = [quiz(n) for n in range(8)]
    quizzes[7] = quiz(
        7,
        question="اندازهٔ خروجی Conv2d با کرنل ۳ و پدینگ ۱ روی ورودی ۳۲ چنده؟",
        options=["۳۲", "۳۰", "۳۴", "۱۶"],
        correct=1,
    )
    quizzes[6] = quiz(
        6,
        question="یک Conv2d با پدینگ ۱ و کرنل ۳ روی ورودی ۳۲، خروجی چه اندازه‌ای داره؟",
        options=["۳۰", "۳۲", "۳۴", "۱۶"],
        correct=2,
    )
    assert findings(tmp_path, quizzes)["same-question"].ids == ["q-6 ~ q-7"]


def test_missing_explanation_and_non_persian_question(tmp_path: Path) -> None:
    quizzes = [quiz(n) for n in range(8)]
    del quizzes[2]["explanation"]
    quizzes[4]["question"] = "What is the derivative of ReLU at 5?"
    found = findings(tmp_path, quizzes)
    assert found["explanation"].ids == ["q-2"]
    assert found["persian"].ids == ["q-4"]


def test_arabic_letters_are_found_in_the_files_as_written(tmp_path: Path) -> None:
    quizzes = [quiz(n) for n in range(8)]
    quizzes[1]["explanation"] = "يك توضيح"
    assert findings(tmp_path, quizzes)["arabic-letters"].ids == ["q-1"]


def test_interview_answers_need_three_to_six_bullets(tmp_path: Path) -> None:
    interviews = [
        {"id": "iv-1", "topic": "cnn", "question": "کانولوشن چیه؟", "answer": ["یک", "دو"]}
    ]
    assert findings(tmp_path, [quiz(0)], interviews)["bullets"].ids == ["iv-1"]


def test_quizzes_on_demo_ideas_must_link_the_demo(tmp_path: Path) -> None:
    quizzes = [quiz(n) for n in range(8)]
    quizzes[0].update(topic="activations", tags=["relu"])
    quizzes[1].update(topic="activations", tags=["relu"], demo="activations")
    quizzes[2].update(topic="activations", tags=["softmax"])  # no demo shows softmax
    assert findings(tmp_path, quizzes)["demo-link"].ids == ["q-0"]


def test_correct_answer_usually_the_shortest(tmp_path: Path) -> None:
    quizzes = varied()
    for q in quizzes[:5]:
        q["options"] = [o + " با کمی توضیح بیشتر" for o in q["options"]]
        q["options"][q["correct"] - 1] = f"کوتاه {q['id']}"
    found = findings(tmp_path, quizzes)["shortest-correct"]
    assert "shortest in 5 of 16 non-numeric single-answer quizzes" in found.message
    assert sorted(found.ids) == ["q-0", "q-1", "q-2", "q-3", "q-4"]


def test_numeric_quizzes_do_not_count_for_the_length_rules(tmp_path: Path) -> None:
    quizzes = varied()
    for q in quizzes[:5]:
        q["options"] = ["۱۲", "۱۲۸", "۲۵۶", "۱۰۲۴"]
        q["options"][q["correct"] - 1] = "۷"  # the shortest, but a number like the others
    assert "shortest-correct" not in findings(tmp_path, quizzes)


def test_a_right_option_much_shorter_than_every_other_gives_itself_away(tmp_path: Path) -> None:
    quizzes = varied()
    quizzes[2]["options"] = [
        "یک توضیح بلند و مفصل برای گزینهٔ اول",
        "یک توضیح بلند و مفصل برای گزینهٔ دوم",
        "کوتاه",
        "یک توضیح بلند و مفصل برای گزینهٔ چهارم",
    ]
    quizzes[2]["correct"] = 3
    quizzes[3]["options"] = ["الف کوتاه", "ب کوتاه", "پ کوتاه", "ت خیلی خیلی خیلی بلندتر"]
    quizzes[3]["correct"] = 4
    quizzes[4]["options"] = [
        "یک گزینهٔ معمولی",
        "دو گزینهٔ معمولی",
        "یک گزینهٔ ساده",
        "سه گزینهٔ معمولی",
    ]
    quizzes[4]["correct"] = 3  # the shortest, but by less than a fifth
    assert findings(tmp_path, quizzes)["length-outlier"].ids == ["q-2", "q-3"]


def test_a_bank_of_one_kind_of_quiz_lacks_variety(tmp_path: Path) -> None:
    found = findings(tmp_path, [quiz(n) for n in range(12)])["variety"]
    assert "0 of 12 quizzes are multiple-answer" in found.message
    assert "0 of 12 quizzes are «کدوم گزینه درست نیست؟»" in found.message
    for size in (2, 3, 5):
        assert f"0 of 12 quizzes have {size} options" in found.message


def test_more_than_a_third_arithmetic(tmp_path: Path) -> None:
    quizzes = varied()
    for q in quizzes[:6]:
        q["options"] = [f"{q['id'][2:]}{digit}" for digit in "۱۲۳۴"]
    found = findings(tmp_path, quizzes)["arithmetic"]
    assert found.message.startswith("6 of 17 quizzes are arithmetic")
    assert found.ids == [f"q-{n}" for n in range(6)]
    quizzes[5] = quiz(5)  # five arithmetic of seventeen is under a third
    assert "arithmetic" not in findings(tmp_path / "fewer", quizzes)


def test_more_than_five_options(tmp_path: Path) -> None:
    quizzes = varied()
    quizzes[0]["options"] += ["پاسخ ۰ ث", "پاسخ ۰ ج"]
    assert findings(tmp_path, quizzes)["option-count"].ids == ["q-0"]


def test_a_multiple_answer_question_says_several_may_be_right(tmp_path: Path) -> None:
    quizzes = varied()
    quizzes[0].update(correct=[1, 2], multiple=True)
    assert findings(tmp_path, quizzes)["multiple-hint"].ids == ["q-0"]


def test_positions_are_balanced_per_number_of_options(tmp_path: Path) -> None:
    quizzes = varied(count=8)  # its three-option quiz has option 2 right
    for number, right in zip(range(13, 20), [3, 3, 3, 3, 3, 1, 1], strict=True):
        three = quiz(number, correct=right)
        three["options"] = three["options"][:3]
        quizzes.append(three)
    found = findings(tmp_path, quizzes)["position-balance"]
    # Five of the eight three-option quizzes is over 1/3 + 10%.
    assert found.message == "option 3 is correct in 5 of 8 3-option quizzes (more than 43%)"
    assert found.ids == [f"q-{number}" for number in range(13, 18)]


def lesson(body: str, topic: str = "cnn", number: int = 1) -> dict[str, Any]:
    """A lesson of `topic` whose body is `body`."""
    return {
        "id": f"les-{number}",
        "topic": topic,
        "title": "یک درس",
        "body": body,
        "hashtags": ["#CNN"],
    }


def numeric(number: int, right: str, topic: str = "cnn") -> dict[str, Any]:
    """A numeric quiz whose right option (the first) is `right`."""
    return quiz(number, topic=topic, options=[right, "۱۱", "۱۳", "۱۷"], correct=1)


def test_a_lesson_that_writes_a_quizs_numeric_answer_gives_it_away(tmp_path: Path) -> None:
    quizzes = varied()
    quizzes[0] = numeric(0, "۱۷۹۲")
    quizzes[1] = numeric(1, "۰٫۶۹")
    quizzes[2] = numeric(2, "۱۰۰")  # a round number: any text may write it
    quizzes[3] = numeric(3, "۰٫۲۵", topic="activations")  # in another topic
    quizzes[4] = numeric(4, "۲۵۶۰", topic="activations")  # three significant digits
    quizzes[5] = numeric(5, "۱٫۱۲۹")
    quizzes[6] = numeric(6, "۰٫۱")
    quizzes[7] = numeric(7, "۵۱۲", topic="activations")  # a power of two: a width anywhere
    lessons = [
        lesson("این لایه 1,792 پارامتر داره و ۱۰۰ نورون."),
        lesson("مثلاً ln 2 ≈ ۰٫۶۹۳ و سیگموید بیشینهٔ مشتق ۰٫۲۵ داره.", number=2),
        lesson("ما ۰٫۷ رو گرد کردیم و لایه‌ها ۱۷۹ تا بودن.", number=3),
        lesson("یک LSTM با ۲۵۶۰ پارامتر و d_model=512.", number=4),
        lesson("بیشینهٔ مشتق حدود ۱٫۱۳ و احتمال‌ها ۰٫۰۹ و ۰٫۲۴ هستن.", number=5),
    ]
    interviews = [
        {
            "id": "iv-1",
            "topic": "cnn",
            "question": "این لایه چند پارامتر داره؟",
            "answer": ["یک", "دو", "وزن‌ها ۱۷۹۲ تان."],
        }
    ]
    found = findings(tmp_path, quizzes, interviews, lessons)["numeric-leak"]
    assert found.ids == [
        "q-0 in les-1 (۱۷۹۲)",
        "q-1 in les-2 (۰٫۶۹)",
        "q-4 in les-4 (۲۵۶۰)",
        "q-5 in les-5 (۱٫۱۲۹)",
        "q-0 in iv-1 (۱۷۹۲)",
    ]


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("یه لایه داریم", ["yeh"]),
        ("یک لایه داریم", []),
        ("پایه و ثانیه و سایه", []),
        ("داده‌ی آموزشی و نمونه ی آخر", ["ezafe", "ezafe"]),
        ("دادهٔ آموزشی، یک نمونه‌ای دیگه", []),
        ("این میشه صفر و نمیتونه یاد بگیره", ["mi-joined", "mi-joined"]),
        ("اینجا می شه گفت", ["mi-spaced"]),
        ("میانگین، میزان، میلیون، میدان، میان، میانه و همیشه", []),
        ("می‌شه، نمی‌تونه، می‌کنه", []),
        ("مقدار ۰.۵ هست", ["decimal"]),
        ("مقدار ۰٫۵ هست و p=0.99 در فرمول", []),
        ("این تابع خطی است و گرفته‌است", ["formal", "formal"]),
        ("این تابع می‌باشد", ["formal"]),
        ("این استفاده درسته و دست نمی‌زنیم", []),
    ],
)
def test_house_style(text: str, rules: list[str]) -> None:
    assert [rule.name for rule, _ in style_breaks(text)] == rules


def test_house_style_names_the_item_and_the_words(tmp_path: Path) -> None:
    quizzes = varied()
    quizzes[1]["explanation"] = "این یه توضیحه که میشه خوندش."
    lessons = [lesson("مقدار ۰.۵ برای دادهٔ کم")]
    found = findings(tmp_path, quizzes, lessons=lessons)
    assert found["house-style-yeh"].ids == ["q-1 «یه»"]
    assert found["house-style-mi-joined"].ids == ["q-1 «میشه»"]
    assert found["house-style-decimal"].ids == ["les-1 «۰.۵»"]


def test_stats_show_the_mix_of_quiz_kinds(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("CONTENT_DIR", str(write_bank(tmp_path, {"quizzes": varied()})))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["content", "stats", "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    mix = stats["variety"]
    assert mix["quizzes"] == 17
    assert mix["multiple_answer"] == {"count": 1, "share": round(1 / 17, 4)}
    assert mix["not_true"]["count"] == 1
    assert mix["by_option_count"] == {"2": 1, "3": 1, "4": 14, "5": 1}
    assert mix["length_checked"] == 16  # the multiple-answer quiz aside
    assert stats["topics"]["cnn"]["variety"]["quizzes"] == 17
    assert stats["topics"]["activations"]["quizzes"] == 0


def test_shipped_bank_passes_lint() -> None:
    problems = lint_bank(load_bank(DEFAULT_CONTENT_DIR), DEFAULT_CONTENT_DIR)
    assert problems == [], "\n".join(map(str, problems))


def test_lint_command_exit_code(tmp_path: Path, monkeypatch: Any) -> None:
    quizzes = [quiz(n) for n in range(8)]
    quizzes[3]["options"][3] = "همه موارد"
    monkeypatch.setenv("CONTENT_DIR", str(write_bank(tmp_path, {"quizzes": quizzes})))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["content", "lint"])
    assert result.exit_code == 1
    assert "catch-all-option" in result.stderr
    assert "q-3" in result.stderr
