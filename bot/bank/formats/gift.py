"""Moodle GIFT, multiple-choice subset.

Supported: `//` comment lines, `$CATEGORY:` (its last part becomes the topic when it names
one), `::title::` (the quiz id), `=` right and `~` wrong answers, `~%50%` weights for
several right answers, `#` per-answer feedback, `####` general feedback (the explanation),
the escapes `\\= \\~ \\# \\{ \\} \\: \\\\` and `\\n`, and blank lines between questions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.bank.formats.common import FormatError, ParsedQuiz, derived_id
from bot.bank.schema import ID_PATTERN, MAX_ID_LENGTH, QuizItem

# Escaped characters become private-use placeholders so the parser can split on the bare ones.
_ESCAPES = {
    "\\\\": "\ue000",
    "\\=": "\ue001",
    "\\~": "\ue002",
    "\\#": "\ue003",
    "\\{": "\ue004",
    "\\}": "\ue005",
    "\\:": "\ue006",
    "\\n": "\ue007",
}
_RESTORE = str.maketrans(
    {
        "\ue000": "\\",
        "\ue001": "=",
        "\ue002": "~",
        "\ue003": "#",
        "\ue004": "{",
        "\ue005": "}",
        "\ue006": ":",
        "\ue007": "\n",
    }
)
_ESCAPE_PATTERN = re.compile(r"\\[\\=~#{}:n]")
_TITLE = re.compile(r"^::(.*?)::", re.DOTALL)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_FORMAT_TAG = re.compile(r"^\[(?:plain|html|moodle|markdown)\]")
_VALID_ID = re.compile(ID_PATTERN)
_WHITE_SPACE = re.compile(r"\s+")


def _hide_escapes(text: str) -> str:
    return _ESCAPE_PATTERN.sub(lambda match: _ESCAPES[match.group(0)], text)


def _space_for_line_break(run: re.Match[str]) -> str:
    return " " if "\n" in run.group() else run.group()


def _restore(text: str) -> str:
    # A line break in the file is white space; only the \\n escape is a real line break.
    # Whole runs of white space are matched (`\s*\n\s*` rescanned a long run of spaces from
    # each of its positions).
    return _WHITE_SPACE.sub(_space_for_line_break, text).translate(_RESTORE).strip()


def _blocks(text: str) -> Iterable[tuple[int, list[str]]]:
    """Groups of non-blank lines with the line number each starts on."""
    block: list[str] = []
    start = 0
    # Whether the block has opened its answer block and not yet closed it, kept line by line
    # (joining the block again at every blank line made long blocks quadratic).
    opened = closed = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("//"):
            continue
        if line.strip():
            if not block:
                start = number
            block.append(line)
            after_open = line
            if not opened and "{" in line:
                opened, after_open = True, line.split("{", 1)[1]
            closed = closed or (opened and "}" in after_open)
        elif block and opened and not closed:
            block.append(line)  # a blank line inside an open answer block belongs to it
        elif block:
            yield start, block
            block = []
            opened = closed = False
    if block:
        yield start, block


def _parse_answers(body: str, label: str) -> tuple[list[str], list[int], bool, str | None]:
    general = None
    if "####" in body:
        body, general = body.split("####", 1)
        general = _restore(general)
    options: list[str] = []
    correct: list[int] = []
    weighted = False
    right_feedback: str | None = None
    for marker, raw in re.findall(r"([=~])([^=~]*)", body):
        text, _, feedback = raw.partition("#")
        text = text.strip()
        weight_match = _WEIGHT.match(text)
        weight = 100.0 if marker == "=" else 0.0
        if weight_match:
            weight = float(weight_match.group(1))
            text = text[weight_match.end() :].strip()
            weighted = weighted or marker == "~"
        if "->" in text:
            raise FormatError(label, "options", "matching questions are not supported")
        options.append(_restore(text))
        if weight > 0:
            correct.append(len(options))
            if right_feedback is None and feedback.strip():
                right_feedback = _restore(feedback)
    if not options or "~" not in body:
        raise FormatError(
            label, "options", "only multiple-choice questions (with ~ answers) are supported"
        )
    return options, correct, weighted, general or right_feedback


def parse_gift(
    text: str, topic: str | None, difficulty: int, known_topics: set[str]
) -> list[ParsedQuiz]:
    """Read GIFT text into quiz records; raise FormatError at the first malformed question."""
    quizzes = []
    category_topic = topic
    for start, lines in _blocks(_hide_escapes(text)):
        while lines and lines[0].lstrip().startswith("$CATEGORY:"):
            category = lines.pop(0).strip().removeprefix("$CATEGORY:").split("/")[-1].strip()
            category_topic = category if category in known_topics else topic
            start += 1
        if not lines:
            continue
        block = "\n".join(lines).strip()
        label = f"question at line {start}"
        title = None
        title_match = _TITLE.match(block)
        if title_match:
            title = _restore(title_match.group(1))
            label = f"{title} (line {start})"
            block = block[title_match.end() :].strip()
        if block.count("{") != 1 or block.count("}") != 1 or block.index("{") > block.index("}"):
            raise FormatError(
                label,
                "question",
                "needs one {…} answer block (escape literal braces as \\{ and \\})",
            )
        question, rest = block.split("{", 1)
        answers, after = rest.split("}", 1)
        if after.strip():
            raise FormatError(
                label,
                "question",
                "text after the answer block (missing-word questions) is not supported",
            )
        question = _restore(_FORMAT_TAG.sub("", question.strip()))
        options, correct, weighted, explanation = _parse_answers(answers, label)
        quiz_id = (
            title
            if title and _VALID_ID.match(title) and len(title) <= MAX_ID_LENGTH
            else derived_id("gift", question)
        )
        fields: dict[str, object] = {
            "id": quiz_id,
            "topic": category_topic or "",
            "difficulty": difficulty,
            "question": question,
            "options": options,
            "correct": correct,
        }
        if weighted or len(correct) > 1:
            fields["multiple"] = True
        if explanation:
            fields["explanation"] = explanation
        quizzes.append(ParsedQuiz(label, fields))
    return quizzes


def _escape(text: str) -> str:
    for char in "\\=~#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def write_gift(quizzes: Iterable[QuizItem]) -> str:
    """GIFT text for quizzes, grouped by topic with `$CATEGORY` lines."""
    parts: list[str] = []
    current_topic = None
    for quiz in quizzes:
        if quiz.topic != current_topic:
            parts.append(f"$CATEGORY: {quiz.topic}\n")
            current_topic = quiz.topic
        lines = [f"::{_escape(quiz.id)}:: {_escape(quiz.question)} {{"]
        share = round(100 / len(quiz.correct), 5)
        for position, option in enumerate(quiz.options, start=1):
            if quiz.multiple:
                weight = f"{share:g}" if position in quiz.correct else "-100"
                lines.append(f"~%{weight}%{_escape(option)}")
            else:
                lines.append(("=" if position in quiz.correct else "~") + _escape(option))
        if quiz.explanation:
            lines.append(f"####{_escape(quiz.explanation)}")
        lines.append("}\n")
        parts.append("\n".join(lines))
    return "\n".join(parts)
