"""The terminal practice loop: show a question, read a multi-line answer, grade, record, repeat."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TextIO

from bot import cli_render
from bot.errors import MlprepError, NoQuestionAvailable
from bot.service import Filters, QuestionCard, Service

COMMANDS = (":hint", ":skip", ":stats", ":quit")
Action = Literal["next", "quit"]


@dataclass
class Session:
    """What happened in one practice session."""

    user: str
    seen: list[str] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    skipped: int = 0


def _read_answer(stdin: TextIO) -> tuple[str | None, str]:
    """Read lines up to a lone `.` or EOF; a command line on its own returns (command, partial text)."""
    lines: list[str] = []
    while True:
        line = stdin.readline()
        if line == "":
            return ("eof", "\n".join(lines))
        stripped = line.strip()
        if stripped == ".":
            return (None, "\n".join(lines))
        if stripped in COMMANDS:
            return (stripped, "\n".join(lines))
        lines.append(line.rstrip("\n"))


def _ask(service: Service, session: Session, card: QuestionCard, stdin: TextIO, out: TextIO) -> Action:
    """Handle one question until it is answered, skipped or the user quits."""
    while True:
        command, text = _read_answer(stdin)
        if command in (":quit",) or (command == "eof" and not text.strip()):
            return "quit"
        if command == ":hint":
            _hint(service, session, card, out)
            continue
        if command == ":stats":
            print(cli_render.stats(service.stats(session.user)), file=out)
            continue
        if command == ":skip":
            outcome = service.skip(session.user, card.question_id)
            session.skipped += 1
            print(cli_render.outcome(outcome), file=out)
            return "next"
        if not text.strip():
            print("(empty answer: type your answer, then a line with only `.`)", file=out)
            continue
        outcome = service.submit(session.user, card.question_id, text)
        print(cli_render.outcome(outcome), file=out)
        if not outcome.recorded:
            if command == "eof":
                return "quit"
            print("Not recorded: try again, or :skip.", file=out)
            continue
        session.scores.append(outcome.result.score)
        return "quit" if command == "eof" else "next"


def _hint(service: Service, session: Session, card: QuestionCard, out: TextIO) -> None:
    """Print the next hint, or why there is none."""
    try:
        number, text = service.hint(session.user, card.question_id)
    except MlprepError as exc:
        print(exc.user_message, file=out)
        return
    print(f"Hint {number}/{card.hint_count}: {text}", file=out)


def run_practice(service: Service, user: str, filters: Filters, stdin: TextIO, out: TextIO) -> Session:
    """Run a practice session until the user quits, input ends, or questions run out."""
    session = Session(user=user)
    service.user(user, user.removeprefix("cli:"))
    while True:
        try:
            card = service.next_question(user, filters, exclude=session.seen)
        except NoQuestionAvailable as exc:
            print(exc.user_message, file=out)
            break
        session.seen.append(card.question_id)
        print(cli_render.card(card, len(session.seen)), file=out, flush=True)
        if _ask(service, session, card, stdin, out) == "quit":
            break
    _summary(service, session, out)
    return session


def _summary(service: Service, session: Session, out: TextIO) -> None:
    """Print what the session did and the user's weakest topics."""
    answered = len(session.scores)
    average = sum(session.scores) / answered if answered else 0.0
    print(cli_render.RULE, file=out)
    print(f"Session over: {answered} answered (average {average:.0%}), {session.skipped} skipped.", file=out)
    print(cli_render.weakest(service.stats(session.user)), file=out)
