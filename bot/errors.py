"""Domain errors that carry their own user-facing text; one handler per front end renders them."""

from __future__ import annotations


class MlprepError(Exception):
    """Base for errors whose message is safe and useful to show to the user as is."""

    exit_code = 1

    @property
    def user_message(self) -> str:
        """The text to show the user."""
        return str(self)


class UnknownQuestion(MlprepError):
    """No question with that id in the bank."""

    def __init__(self, question_id: str) -> None:
        super().__init__(f"There is no question `{question_id}` in the bank.")


class UnknownTopic(MlprepError):
    """No topic with that id in the bank."""

    def __init__(self, topic: str, known: list[str]) -> None:
        super().__init__(f"There is no topic `{topic}`. Topics: {', '.join(known)}.")


class NoQuestionAvailable(MlprepError):
    """Nothing matches the filters (or everything was already seen this session)."""


class NoOpenQuestion(MlprepError):
    """The user has no question to answer."""


class NoMoreHints(MlprepError):
    """The question has no (further) hints."""


class ConfigError(MlprepError):
    """A setting is missing or wrong."""

    exit_code = 2
