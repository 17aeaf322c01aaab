"""Each item-writing rule reports the ids that break it; the shipped bank breaks none."""

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from bot.bank.lint import LintFinding, lint_bank
from bot.bank.loader import load_bank
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


def findings(
    tmp_path: Path, quizzes: list[dict[str, Any]], interviews: list[dict[str, Any]] | None = None
) -> dict[str, LintFinding]:
    root = write_bank(tmp_path, {"quizzes": quizzes, "interview_questions": interviews or []})
    return {finding.rule: finding for finding in lint_bank(load_bank(root), root)}


def test_a_clean_bank_has_no_findings(tmp_path: Path) -> None:
    assert findings(tmp_path, [quiz(n) for n in range(12)]) == {}


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
