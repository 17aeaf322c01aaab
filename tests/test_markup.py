"""Interview and lesson posts in Telegram HTML: bold titles, formulas and code kept left-to-right.

What is checked is what a reader sees: the post goes through the fake Bot API's HTML parser
(tests/fakebot/entities.py), which turns it into plain text and entities as Telegram does.
"""

from __future__ import annotations

import pytest

from bot.channel_engine.render import (
    InterviewPost,
    LessonView,
    RenderedText,
    RenderError,
    render,
)
from bot.limits import MAX_MESSAGE_LENGTH
from bot.markup import plain, to_html
from bot.services.channel.views import ChannelView
from bot.services.learning.views import InterviewView
from tests.fakebot.entities import EntityError, entity_text, parse_html

CHANNEL = ChannelView(
    id=1,
    chat_id=-100,
    title="دیتاساینس",
    signature="@data_fa <ML & AI>",
    hashtags=("#Deep_Learning",),
    next_quiz_number=1,
    silent=False,
    pin_quizzes=False,
    grace_minutes=60,
)


def shown(text: str) -> tuple[str, list[tuple[str, str]]]:
    plain_text, entities = parse_html(text)
    return plain_text, [(entity["type"], entity_text(plain_text, entity)) for entity in entities]


def interview(*answer: str, question: str = "فرق Precision و Recall چیه؟") -> str:
    post = render(
        InterviewPost(InterviewView("iq-1", "evaluation", question, answer), "#Evaluation"),
        CHANNEL,
        1,
    )
    assert isinstance(post, RenderedText)
    return post.text


def test_an_interview_post_has_a_bold_title_and_its_formulas_in_code() -> None:
    text, entities = shown(
        interview(
            "Precision = TP/(TP+FP) یعنی از مثبت‌های اعلام‌شده چندتا درسته.",
            "با `torch.no_grad()` گرادیان ساخته نمی‌شه و nn.Linear(784, 10) همون لایه‌ست.",
            "نرمال‌سازی دسته‌ای (Batch Normalization) ربطی به این معیار نداره.",
        )
    )
    assert text.startswith("💡سوال مصاحبه: فرق Precision و Recall چیه؟\n\n🔵 Precision = ")
    assert ("bold", "💡سوال مصاحبه: فرق Precision و Recall چیه؟") in entities
    codes = [piece for kind, piece in entities if kind == "code"]
    # The formula, the backticked call and the call a writer left bare; an English term in
    # parentheses stays prose.
    assert codes == ["Precision = TP/(TP+FP)", "torch.no_grad()", "nn.Linear(784, 10)"]
    # The signature's «<» and «&» are shown as the admin typed them.
    assert text.endswith("#Evaluation\n#Deep_Learning\n@data_fa <ML & AI>")


def test_a_lesson_title_is_bold_and_the_text_reads_as_written() -> None:
    body = "ReLU(x) = max(0, x) و برای x < 0 صفره.\n\nپس گرادیان منفی‌ها صفره & همین."
    post = render(LessonView("l-1", "چرا ReLU؟", body, ("#Activations",)), CHANNEL, 1)
    assert isinstance(post, RenderedText)
    text, entities = shown(post.text)
    assert text == f"چرا ReLU؟\n\n{body}\n\n#Activations\n#Deep_Learning\n@data_fa <ML & AI>"
    assert entities[0] == ("bold", "چرا ReLU؟")
    assert [piece for kind, piece in entities if kind == "code"] == ["ReLU(x) = max(0, x)", "x < 0"]


@pytest.mark.parametrize(
    "source",
    [
        "ساده و فارسی",
        "a<b && c>d یا <b>نه</b> & &amp; ; `x*y` و `<code>`",
        "e = mc² · σ(x) ≈ 0.5 → 1e-3، (Two-Tower)، GPT-2 و A/B",
        "``, ` تنها، و `x` `y`",
    ],
)
def test_markup_never_changes_the_text_a_reader_sees(source: str) -> None:
    html = to_html(source)
    text, _ = parse_html(html)  # Telegram accepts it
    expected = source.replace("`", "") if source.count("`") % 2 == 0 else None
    assert text == plain(html)
    if expected is not None and "``" not in source:
        assert text == expected


def test_the_length_limit_counts_what_the_reader_sees_not_the_markup() -> None:
    # Each «a+b» becomes <code>a+b</code>: 13 more characters of markup, none more to read.
    footer = "\n\n#Evaluation\n#Deep_Learning\n@data_fa <ML & AI>"
    title = "💡سوال مصاحبه: فرق Precision و Recall چیه؟\n\n🔵 "
    room = MAX_MESSAGE_LENGTH - len(title) - len(footer)
    bullet = ("a+b و " * (room // 6)).strip()
    text = interview(bullet)
    assert len(text) > MAX_MESSAGE_LENGTH
    shown_text, _ = shown(text)
    assert len(shown_text) <= MAX_MESSAGE_LENGTH
    with pytest.raises(RenderError):
        interview(bullet + " " + "ب" * 10)


def test_the_fake_refuses_html_telegram_cannot_parse() -> None:
    for source, words in [
        ("<b>باز", "Can't find end tag"),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("x < y", "Unsupported start tag"),
    ]:
        with pytest.raises(EntityError, match=words):
            parse_html(source)
