"""Pydantic models of the question-bank format (a contract: unknown keys are errors)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
Area = Literal["coding", "maths", "ml"]
NonEmptyText = Annotated[str, StringConstraints(min_length=1)]
Kind = Literal["coding", "maths", "concept"]
AREA_OF_KIND: dict[str, str] = {"coding": "coding", "maths": "maths", "concept": "ml"}


class Strict(BaseModel):
    """Base for bank models: frozen, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Topic(Strict):
    """One entry of the topic taxonomy in topics.yaml."""

    id: Slug
    title: str = Field(min_length=1)
    area: Area
    description: str = Field(min_length=1)


class TopicsFile(Strict):
    """The whole topics.yaml file."""

    topics: list[Topic] = Field(min_length=1)


class _QuestionBase(Strict):
    """Fields every question has, whatever its kind."""

    id: Slug
    difficulty: int = Field(ge=1, le=5)
    prompt: str = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    hints: list[str] = Field(default_factory=list)
    solution: str | None = None
    rubric: Slug | None = None


MathsExpression = str | int | float | list[Any]
Assumption = Literal["positive", "nonnegative", "negative", "nonzero", "real", "integer"]


class MathsAnswer(Strict):
    """Expected answer of a maths question: exactly one of expression, value or choices."""

    expression: MathsExpression | None = None
    variables: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9]*$")]] = Field(default_factory=list)
    assumptions: dict[str, Assumption] = Field(default_factory=dict)
    value: float | None = None
    tolerance: float | None = Field(default=None, ge=0)
    choices: list[str] | None = None
    correct: int | list[int] | None = None

    @model_validator(mode="after")
    def _exactly_one_form(self) -> MathsAnswer:
        forms = [name for name in ("expression", "value", "choices") if getattr(self, name) is not None]
        if len(forms) != 1:
            found = ", ".join(forms) or "none"
            raise ValueError(f"answer needs exactly one of expression, value or choices (found: {found})")
        if self.choices is not None:
            self._check_choices()
        elif self.correct is not None:
            raise ValueError("`correct` is only allowed with `choices`")
        if self.tolerance is not None and self.value is None:
            raise ValueError("`tolerance` is only allowed with `value`")
        if (self.variables or self.assumptions) and self.expression is None:
            raise ValueError("`variables` and `assumptions` are only allowed with `expression`")
        unknown = sorted(set(self.assumptions) - set(self.variables))
        if unknown:
            raise ValueError(f"`assumptions` name variables not listed in `variables`: {', '.join(unknown)}")
        return self

    def _check_choices(self) -> None:
        choices = self.choices or []
        if len(choices) < 2:
            raise ValueError("`choices` needs at least two entries")
        if len(choices) > 26:
            raise ValueError("`choices` allows at most 26 entries (letters A-Z)")
        if self.correct is None:
            raise ValueError("`choices` needs `correct` (a 0-based index or a list of them)")
        for index in self.correct_indices:
            if not 0 <= index < len(choices):
                raise ValueError(f"`correct` index {index} is out of range for {len(choices)} choices")

    @property
    def correct_indices(self) -> list[int]:
        """Return the correct choice indices as a list, whichever form the bank used."""
        if self.correct is None:
            return []
        return [self.correct] if isinstance(self.correct, int) else list(self.correct)


class MathsQuestion(_QuestionBase):
    """A maths question graded by value, choice or symbolic equivalence."""

    kind: Literal["maths"]
    answer: MathsAnswer
    equivalent_forms: list[NonEmptyText] = Field(default_factory=list)
    wrong_forms: list[NonEmptyText] = Field(default_factory=list)


class KeyPoint(Strict):
    """One weighted idea a concept answer should contain."""

    id: Slug
    weight: float = Field(default=1.0, gt=0)
    description: str = Field(min_length=1)
    phrases: list[Annotated[str, StringConstraints(min_length=1)]] = Field(default_factory=list)


class Misconception(Strict):
    """A classic wrong idea; stating it costs credit and is named in the feedback."""

    id: Slug
    description: str = Field(min_length=1)
    phrases: list[Annotated[str, StringConstraints(min_length=1)]] = Field(min_length=1)


class ConceptQuestion(_QuestionBase):
    """A free-text question graded against key points or a reference answer."""

    kind: Literal["concept"]
    reference_answer: str = Field(min_length=1)
    key_points: list[KeyPoint] = Field(default_factory=list)
    misconceptions: list[Misconception] = Field(default_factory=list)
    wrong_answers: list[NonEmptyText] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_point_ids(self) -> ConceptQuestion:
        ids = [p.id for p in self.key_points] + [m.id for m in self.misconceptions]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate key point or misconception id: {', '.join(duplicates)}")
        return self


class CodeTest(Strict):
    """One call of the user's function with its expected result."""

    args: list[Any] = Field(default_factory=list)
    expected: Any
    sample: bool = False


class WrongSolution(Strict):
    """A deliberately wrong solution (off by one, a missed edge case, too slow) that the tests must reject."""

    code: str = Field(min_length=1)
    why: str = Field(min_length=1)


class CodingQuestion(_QuestionBase):
    """A coding question judged by running the user's function against tests."""

    kind: Literal["coding"]
    entry_point: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
    starter_code: str = Field(min_length=1)
    reference_solution: str = Field(min_length=1)
    tests: list[CodeTest] = Field(default_factory=list)
    check: str | None = None
    time_limit_s: float | None = Field(default=None, gt=0, le=60)
    memory_mb: int | None = Field(default=None, ge=32, le=8192)
    float_tolerance: float = Field(default=1e-6, ge=0)
    unordered: bool = False
    wrong_solutions: list[NonEmptyText | WrongSolution] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_tests(self) -> CodingQuestion:
        if not self.tests and not self.check:
            raise ValueError("a coding question needs `tests`, `check`, or both")
        if self.check is not None and "def check" not in self.check:
            raise ValueError("`check` must define `check(candidate)`")
        return self

    @property
    def wrong_solution_codes(self) -> list[tuple[str, str]]:
        """Return each wrong solution as (why, code); plain strings have no stated reason."""
        return [("", w) if isinstance(w, str) else (w.why, w.code) for w in self.wrong_solutions]

    @property
    def sample_tests(self) -> list[CodeTest]:
        """Return the tests shown to the user."""
        return [t for t in self.tests if t.sample]


Question = Annotated[MathsQuestion | ConceptQuestion | CodingQuestion, Field(discriminator="kind")]


class TopicFile(Strict):
    """One `<area>/<topic>.yaml` file: a topic id and its questions."""

    topic: Slug
    questions: list[Question] = Field(min_length=1)


class Criterion(Strict):
    """One criterion of a reusable rubric."""

    id: Slug
    weight: float = Field(default=1.0, gt=0)
    description: str = Field(min_length=1)
    levels: dict[int, str] = Field(min_length=2)

    @field_validator("levels")
    @classmethod
    def _levels_from_zero(cls, levels: dict[int, str]) -> dict[int, str]:
        if min(levels) != 0 or sorted(levels) != list(range(len(levels))):
            raise ValueError("levels must be numbered 0, 1, 2, ... without gaps")
        return levels


class Rubric(Strict):
    """A reusable scoring rubric (criteria, weights, level descriptions) from rubrics/<id>.yaml."""

    title: str = Field(min_length=1)
    description: str | None = None
    criteria: list[Criterion] = Field(min_length=1)


class BankQuestion(BaseModel):
    """A loaded question with where it came from."""

    model_config = ConfigDict(frozen=True)

    question: Question
    topic: str
    area: str
    source: str
    line: int

    @property
    def id(self) -> str:
        """Return the question id."""
        return self.question.id
