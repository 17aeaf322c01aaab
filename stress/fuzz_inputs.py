"""Mutated importer inputs: valid files made from the shipped bank, then broken on purpose.

Seeds are GIFT, Aiken and CSV exports of a few quizzes, a content YAML file and a Telegram
Desktop export holding polls, an interview question and a lesson. Mutations act on the bytes
(flips, cuts, lines deleted or repeated, bytes that are not UTF-8, NUL, huge runs of white
space or brackets, huge or negative numbers) or on the parsed data (a value replaced by one
of the wrong type, out of range, or holding a lone surrogate), plus shapes that broke the
importers before: a 27th Aiken option, a CSV field over 128 KiB, deep nesting, YAML aliases.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.bank.interchange import QuizFormat, export_quizzes, quiz_to_yaml_data
from bot.bank.loader import Bank
from bot.bank.yamlio import dump_yaml

FORMATS = ("gift", "aiken", "csv", "telegram-export", "yaml")
EXTENSIONS = {"gift": "gift", "aiken": "txt", "csv": "csv", "telegram-export": "json"}

# Values that do not belong where they are put: wrong types, out of range, unstorable text.
ODD_VALUES: list[Any] = [
    2**63,
    2**64,
    -1,
    -(2**63) - 1,
    0,
    1.5,
    float("inf"),
    None,
    True,
    "",
    "9" * 30,
    "-5",
    "\ud800",
    "a\x00b",
    "2025-13-45T99:99:99",
    [],
    {},
    [5, None],
    {"text": 5},
    ["a", 7, {"type": "bold", "text": ["x"]}],
    " " * 30_000 + "x",
    "س" * 5_000,
]
# Snippets that mean something to one of the parsers.
TOKENS = [
    *("{", "}", "=", "~", "#", "::", "$CATEGORY: x", "\\", "->", "~%50%", "####", "\\n"),
    *("ANSWER: Z", "ANSWER:", "A.", "Z) x", '"', ",", '""', ";", "\r\n", "\r"),
    *(": ", "- ", "&a ", "*a", "!!python/object:os.system", "? ", "[", "|", "\t", "\\ud800"),
    *('"\\ud800"', '"\\u0000"', "1e400", "NaN", "null", "-", "\u200c", "\ufeff", "\u2028"),
]
HUGE_RUNS = [" ", " \u200c", "\n", "\n ", "\t", "{", "[", "9", "س", "a ", "\\", "=~"]


@dataclass
class Seeds:
    """The shipped bank, the material every seed is cut from."""

    bank: Bank

    def quizzes(self, rng: random.Random, single: bool = False) -> list[Any]:
        """A few distinct quizzes (single-answer ones only if `single`)."""
        pool = [q.item for q in self.bank.quizzes if not (single and q.item.multiple)]
        return rng.sample(pool, rng.randint(1, 4))

    def interchange(self, rng: random.Random, fmt: str) -> str:
        """A GIFT, Aiken or CSV file of a few quizzes."""
        return export_quizzes(self.quizzes(rng, fmt == "aiken"), QuizFormat(fmt))

    def content(self, rng: random.Random) -> dict[str, Any]:
        """The data of a content file: a few quizzes, an interview question and a lesson."""
        interview = rng.choice(self.bank.interview_questions).item
        lesson = rng.choice(self.bank.lessons).item
        return {
            "quizzes": [quiz_to_yaml_data(quiz) for quiz in self.quizzes(rng)],
            "interview_questions": [interview.model_dump(mode="json", exclude_defaults=True)],
            "lessons": [lesson.model_dump(mode="json", exclude_defaults=True)],
        }

    def export(self, rng: random.Random) -> dict[str, Any]:
        """A Telegram Desktop export with polls, an interview question and a lesson."""
        messages: list[dict[str, Any]] = [{"id": 1, "type": "service", "date": "2025-01-01"}]
        for number, quiz in enumerate(self.quizzes(rng), start=90):
            question = f"❓کوییز شماره {number}: {quiz.question}"
            messages.append(
                _message(
                    len(messages) + 1,
                    poll={
                        "question": question,
                        "closed": rng.random() < 0.5,
                        "total_voters": 40,
                        "answers": [
                            {"text": text, "voters": rng.randint(0, 20)} for text in quiz.options
                        ],
                    },
                )
            )
        interview = rng.choice(self.bank.interview_questions).item
        bullets = "".join(f"\n🔵 {line}" for line in interview.answer)
        text = [{"type": "plain", "text": f"💡سوال مصاحبه: {interview.question}{bullets}\n"}]
        messages.append(_message(len(messages) + 1, text=[*text, "#Deep_Learning"]))
        lesson = rng.choice(self.bank.lessons).item
        body = f"{lesson.title}\n{lesson.body}\n" + " ".join(lesson.hashtags)
        messages.append(_message(len(messages) + 1, text=body))
        return {"name": "کانال", "type": "public_channel", "id": 1234567890, "messages": messages}


def _message(message_id: int, **content: Any) -> dict[str, Any]:
    date = {"date": "2025-01-02T18:00:00", "date_unixtime": str(1735840800 + message_id)}
    return {"id": message_id, "type": "message", **date, **content}


# Mutations of the bytes of any file.


def _flip(rng: random.Random, data: bytes) -> bytes:
    flipped = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        if flipped:
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
    return bytes(flipped)


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _lines(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    where = rng.randrange(len(lines))
    action = rng.choice(["delete", "repeat", "swap", "blank"])
    if action == "delete":
        del lines[where]
    elif action == "repeat":
        lines[where:where] = [lines[where]] * rng.randint(1, 40)
    elif action == "swap":
        other = rng.randrange(len(lines))
        lines[where], lines[other] = lines[other], lines[where]
    else:
        lines[where:where] = [b""] * rng.randint(1, 2_000)
    return b"\n".join(lines)


def _insert(rng: random.Random, data: bytes, piece: bytes) -> bytes:
    where = rng.randrange(len(data) + 1)
    return data[:where] + piece + data[where:]


def _bad_bytes(rng: random.Random, data: bytes) -> bytes:
    # A stray byte, a cut multi-byte letter, an encoded surrogate (CESU-8), a NUL.
    return _insert(rng, data, rng.choice([b"\xff", b"\xd8", b"\xed\xa0\x80", b"\x00", b"\x80"]))


def _token(rng: random.Random, data: bytes) -> bytes:
    return _insert(rng, data, rng.choice(TOKENS).encode("utf-8", "surrogatepass"))


def _huge_run(rng: random.Random, data: bytes) -> bytes:
    # Long runs find quadratic regular expressions and recursion in the parsers.
    run = rng.choice(HUGE_RUNS) * rng.randint(5_000, 60_000)
    return _insert(rng, data, run.encode())


def _number(rng: random.Random, data: bytes) -> bytes:
    numbers = list(re.finditer(rb"[0-9]+", data))
    if not numbers:
        return data
    found = rng.choice(numbers)
    odd = rng.choice([b"9" * 30, b"9" * 5_000, b"-1", b"-" + found.group(), b"0", b"1.5", b"1e400"])
    return data[: found.start()] + odd + data[found.end() :]


def _nested(rng: random.Random, data: bytes) -> bytes:
    depth = rng.choice([40, 1_000, 100_000])
    opening = rng.choice([b"[", b"{", b'{"a": ', b"- ", b"  - "])
    return _insert(rng, data, opening * depth)


def _doubled(rng: random.Random, data: bytes) -> bytes:
    return data + (b"\r\n" if rng.random() < 0.5 else b"\n") + data


def _bom_and_crlf(rng: random.Random, data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n") if rng.random() < 0.5 else data


BYTE_MUTATIONS: list[Callable[[random.Random, bytes], bytes]] = [
    _flip,
    _truncate,
    _lines,
    _bad_bytes,
    _token,
    _huge_run,
    _number,
    _nested,
    _doubled,
    _bom_and_crlf,
]


# Mutations of parsed JSON or YAML data.


def _containers(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in `value`, found without recursion."""
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        keys: list[Any] = (
            list(item)
            if isinstance(item, dict)
            else list(range(len(item)))
            if isinstance(item, list)
            else []
        )
        for key in keys:
            found.append((item, key))
            stack.append(item[key])
    return found


def mutate_data(rng: random.Random, data: Any) -> Any:
    """`data` with a few values replaced by odd ones (changed in place, and returned)."""
    places = _containers(data)
    for _ in range(rng.randint(1, 3)):
        if places:
            container, key = rng.choice(places)
            container[key] = rng.choice(ODD_VALUES)
    return data


# Shapes that broke the importers before.


def many_aiken_options(rng: random.Random) -> bytes:
    """An Aiken question with more options than letters."""
    letters = [chr(ord("A") + n) for n in range(26)]
    options = [f"{letter}. گزینه {n}" for n, letter in enumerate(letters)]
    options += [f"{rng.choice(letters)}. اضافه" for _ in range(rng.randint(1, 5))]
    return ("سوال؟\n" + "\n".join(options) + "\nANSWER: A\n").encode()


def huge_csv_field(rng: random.Random) -> bytes:
    """A CSV row with a field over the csv module's limit."""
    field = "س" * rng.randint(131_072, 200_000)
    return f'id,question,option_1,option_2,correct\nq1,"{field}",a,b,1\n'.encode()


def alias_bomb(rng: random.Random) -> bytes:
    """YAML whose aliases stand for billions of values."""
    levels = ["  a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"  a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    return ("quizzes:\n- id: q\n  claim:\n  " + "\n  ".join(levels) + "\n").encode()


def odd_keys(rng: random.Random) -> bytes:
    """YAML with keys that are lists or mappings."""
    key = rng.choice(["? [a, b]\n  : 1", "? {a: b}\n  : 1", "[a]: 1"])
    return f"quizzes:\n- {key}\n".encode()


SPECIAL: dict[str, list[Callable[[random.Random], bytes]]] = {
    "aiken": [many_aiken_options],
    "csv": [huge_csv_field],
    "yaml": [alias_bomb, odd_keys],
}


def make_input(rng: random.Random, fmt: str, seeds: Seeds) -> bytes:
    """One mutated input of format `fmt`."""
    special = SPECIAL.get(fmt, [])
    if special and rng.random() < 0.03:
        return rng.choice(special)(rng)
    if fmt in ("telegram-export", "yaml"):
        data = seeds.export(rng) if fmt == "telegram-export" else seeds.content(rng)
        if rng.random() < 0.5:
            mutate_data(rng, data)
        if fmt == "yaml":
            text = dump_yaml(data)
        else:
            text = json.dumps(data, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 1]))
    else:
        text = seeds.interchange(rng, fmt)
    raw = text.encode("utf-8", "surrogatepass")  # a lone surrogate becomes bytes UTF-8 refuses
    for _ in range(rng.choice([0, 1, 1, 1, 2, 2, 3])):
        raw = rng.choice(BYTE_MUTATIONS)(rng, raw)
    return raw
