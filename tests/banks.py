"""Small content banks written to temporary folders, as an editor would write them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from bot.bank.yamlio import dump_yaml

TOPICS = [
    {"id": "activations", "title": "توابع فعال‌سازی", "hashtag": "#Activation_Functions"},
    {"id": "cnn", "title": "شبکه‌های کانولوشنی", "hashtag": "#CNN"},
]

QUIZZES = [
    {
        "id": "act-relu-grad",
        "topic": "activations",
        "difficulty": 1,
        "question": "مشتق ReLU برای ورودی‌های منفی چقدره؟",
        "options": ["صفر", "یک", "برابر خود ورودی", "منفی یک"],
        "correct": 1,
        "explanation": "ReLU برای ورودی منفی ثابتِ صفره، پس شیبش هم صفره.",
        "tags": ["relu"],
        "demo": "activations",
    },
    {
        "id": "act-sigmoid-max",
        "topic": "activations",
        "difficulty": 2,
        "question": "بیشترین مقدار مشتق تابع سیگموید (Sigmoid) چنده؟",
        "options": ["۱", "۰٫۵", "۰٫۲۵", "۰٫۱"],
        "correct": 3,
        "explanation": "σ'(x)=σ(x)(1−σ(x)) و بیشینه‌اش در x=0 برابر ۰٫۲۵ است.",
        "claim": {"kind": "activation_derivative_max", "function": "sigmoid", "expect": 0.25},
    },
    {
        "id": "cnn-params",
        "topic": "cnn",
        "difficulty": 2,
        "question": "یک Conv2d با ۳ کانال ورودی، ۱۶ فیلتر ۳×۳ و بایاس چند پارامتر داره؟",
        "options": ["۴۳۲", "۴۴۸", "۱۴۴", "۴۶۴"],
        "correct": 2,
        "explanation": "هر فیلتر ۳×۳×۳=۲۷ وزن و یک بایاس داره: ۲۸×۱۶=۴۴۸.",
    },
]

INTERVIEWS = [
    {
        "id": "int-why-relu",
        "topic": "activations",
        "question": "چرا ReLU در لایه‌های پنهان رایج‌تر از سیگموید شده؟",
        "answer": [
            "مشتقش برای ورودی مثبت یکه و گرادیان رو کوچک نمی‌کنه.",
            "محاسبه‌اش ارزونه.",
            "خروجی‌های صفر، فعال‌سازی‌ها رو تُنُک می‌کنه.",
        ],
        "tags": ["relu"],
    }
]

LESSONS = [
    {
        "id": "les-padding",
        "topic": "cnn",
        "title": "پدینگ چیه؟",
        "body": (
            "پدینگ (Padding) یعنی اضافه کردن صفر دور تصویر.\n\n"
            "با پدینگ مناسب، اندازهٔ خروجی ثابت می‌مونه."
        ),
        "hashtags": ["#Deep_Learning", "#CNN"],
    }
]


def bank_data() -> dict[str, Any]:
    """A fresh copy of the sample bank's items."""
    return {
        "quizzes": copy.deepcopy(QUIZZES),
        "interview_questions": copy.deepcopy(INTERVIEWS),
        "lessons": copy.deepcopy(LESSONS),
    }


def write_bank(
    root: Path,
    items: dict[str, Any] | None = None,
    *,
    topics: list[dict[str, Any]] | None = None,
    file: str = "main.yaml",
) -> Path:
    """Write topics.yaml and one items file under `root`; return `root`."""
    (root / "items").mkdir(parents=True, exist_ok=True)
    (root / "topics.yaml").write_text(dump_yaml({"topics": topics or TOPICS}), encoding="utf-8")
    (root / "items" / file).write_text(
        dump_yaml(bank_data() if items is None else items), encoding="utf-8"
    )
    return root


EXTRA_QUIZZES = [
    {
        "id": "act-tanh-range",
        "topic": "activations",
        "difficulty": 1,
        "question": "بُرد خروجی tanh کدومه؟",
        "options": ["(-1, 1)", "(0, 1)", "[0, ∞)", "همهٔ اعداد حقیقی"],
        "correct": 1,
        "explanation": "tanh خروجی رو به بازهٔ (-1, 1) می‌بره.",
    },
    {
        "id": "act-leaky-slope",
        "topic": "activations",
        "difficulty": 2,
        "question": "شیب LeakyReLU با negative_slope=0.1 برای x=-2 چنده؟",
        "options": ["۰", "۰٫۱", "۱", "-۰٫۲"],
        "correct": 2,
        "explanation": "برای ورودی منفی شیب ثابت ۰٫۱ است.",
    },
    {
        "id": "cnn-pool-size",
        "topic": "cnn",
        "difficulty": 1,
        "question": "Max Pooling ۲×۲ با گام ۲ روی نقشهٔ ۸×۸ چه اندازه‌ای می‌ده؟",
        "options": ["۲×۲", "۸×۸", "۴×۴", "۶×۶"],
        "correct": 3,
        "explanation": "پنجرهٔ ۲×۲ با گام ۲ هر بُعد رو نصف می‌کنه.",
    },
]

EXTRA_INTERVIEWS = [
    {
        "id": "int-pooling",
        "topic": "cnn",
        "question": "فرق Max Pooling با کانولوشن گام‌دار چیه؟",
        "answer": [
            "Max Pooling پارامتر یادگرفتنی نداره.",
            "کانولوشن گام‌دار یاد می‌گیره چه چیزی رو نگه داره.",
            "هر دو ابعاد مکانی رو کم می‌کنن.",
        ],
    }
]


def learner_bank_data() -> dict[str, Any]:
    """The sample bank with enough items for the learner flows."""
    data = bank_data()
    data["quizzes"] += copy.deepcopy(EXTRA_QUIZZES)
    data["interview_questions"] += copy.deepcopy(EXTRA_INTERVIEWS)
    return data
