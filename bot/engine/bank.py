"""Load a question bank from file texts, collecting every problem with its file and line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from bot.engine import yaml_lines
from bot.engine.models import AREA_OF_KIND, BankQuestion, Question, Rubric, Topic, TopicFile, TopicsFile

TOPICS_PATH = "question_bank/topics.yaml"
_QUESTION: TypeAdapter[Question] = TypeAdapter(Question)


class BankProblem(BaseModel):
    """One problem found while loading the bank, located as `file:line: question-id: message`."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int
    question_id: str = "-"
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.question_id}: {self.message}"


def question_problem(item: BankQuestion, message: str) -> BankProblem:
    """A problem located at a question's first line."""
    return BankProblem(file=item.source, line=item.line, question_id=item.id, message=message)


class BankError(Exception):
    """The bank has problems; `problems` lists each one."""

    def __init__(self, problems: list[BankProblem]) -> None:
        super().__init__(f"the question bank has {len(problems)} problem(s); first: {problems[0]}")
        self.problems = problems


class Bank(BaseModel):
    """A loaded, cross-checked question bank."""

    model_config = ConfigDict(frozen=True)

    topics: dict[str, Topic]
    questions: dict[str, BankQuestion]
    rubrics: dict[str, Rubric]

    def get(self, question_id: str) -> BankQuestion | None:
        """Return the question with this id, or None."""
        return self.questions.get(question_id)

    def select(
        self, topic: str | None = None, kind: str | None = None, difficulty: int | None = None
    ) -> list[BankQuestion]:
        """Return the questions matching every given filter, in a stable order."""
        return [
            q
            for q in self.questions.values()
            if (topic is None or q.topic == topic)
            and (kind is None or q.question.kind == kind)
            and (difficulty is None or q.question.difficulty == difficulty)
        ]


def _validation_problems(file: str, node: Any, exc: ValidationError, data: Any) -> list[BankProblem]:
    """Turn pydantic errors into located problems, naming the question where one is known."""
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        qid = _question_id_at(data, loc)
        field = _field_path(loc)
        message = _error_message(error, loc)
        text = f"{field}: {message}" if field else message
        problems.append(BankProblem(file=file, line=yaml_lines.line_of(node, loc), question_id=qid, message=text))
    return problems


def _field_path(loc: tuple[Any, ...]) -> str:
    """The dotted path of a field, relative to its question when inside one (kind tags dropped)."""
    parts = list(loc[2:]) if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int) else list(loc)
    if parts and parts[0] in AREA_OF_KIND:
        parts = parts[1:]
    return ".".join(str(part) for part in parts)


def _error_message(error: Any, loc: tuple[Any, ...]) -> str:
    """Return a readable message for one pydantic error."""
    if error["type"] == "extra_forbidden":
        return f"unknown key `{loc[-1]}`"
    if error["type"] == "missing":
        return "required key is missing"
    if error["type"] == "union_tag_invalid":
        return "kind must be one of coding, maths, concept"
    if error["type"] == "union_tag_not_found":
        return "question needs a `kind` (coding, maths or concept)"
    return str(error["msg"]).removeprefix("Value error, ")


def _question_id_at(data: Any, loc: tuple[Any, ...]) -> str:
    """Return the id of the question a loc points into, if any."""
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int) and isinstance(data, dict):
        questions = data.get("questions")
        if isinstance(questions, list) and loc[1] < len(questions) and isinstance(questions[loc[1]], dict):
            qid = questions[loc[1]].get("id")
            if isinstance(qid, str) and qid:
                return qid
    return "-"


def _parse(file: str, text: str, problems: list[BankProblem]) -> tuple[Any, Any] | None:
    """Parse one YAML file, recording syntax errors and duplicate keys."""
    try:
        data, node = yaml_lines.parse(text)
    except yaml_lines.YamlSyntaxError as exc:
        problems.append(BankProblem(file=file, line=exc.line, message=exc.message))
        return None
    for line, key in yaml_lines.duplicate_keys(node):
        problems.append(BankProblem(file=file, line=line, message=f"duplicate key `{key}`"))
    if not isinstance(data, dict):
        problems.append(BankProblem(file=file, line=1, message="file must be a YAML mapping"))
        return None
    return data, node


def _load_topics(files: Mapping[str, str], problems: list[BankProblem]) -> dict[str, Topic]:
    """Load topics.yaml into a dict of topics by id."""
    if TOPICS_PATH not in files:
        problems.append(BankProblem(file=TOPICS_PATH, line=1, message="missing: the bank needs a topic taxonomy"))
        return {}
    parsed = _parse(TOPICS_PATH, files[TOPICS_PATH], problems)
    if parsed is None:
        return {}
    data, node = parsed
    try:
        topics = TopicsFile.model_validate(data).topics
    except ValidationError as exc:
        problems.extend(_validation_problems(TOPICS_PATH, node, exc, data))
        return {}
    by_id: dict[str, Topic] = {}
    for index, topic in enumerate(topics):
        if topic.id in by_id:
            line = yaml_lines.line_of(node, ("topics", index))
            problems.append(BankProblem(file=TOPICS_PATH, line=line, message=f"duplicate topic id `{topic.id}`"))
        by_id[topic.id] = topic
    return by_id


def _load_rubrics(files: Mapping[str, str], problems: list[BankProblem]) -> dict[str, Rubric]:
    """Load every rubrics/<id>.yaml."""
    rubrics: dict[str, Rubric] = {}
    for path in sorted(p for p in files if p.startswith("rubrics/")):
        if path.count("/") != 1 or not path.endswith(".yaml"):
            problems.append(
                BankProblem(file=path, line=1, message="unexpected file: rubrics live in rubrics/<rubric id>.yaml")
            )
            continue
        parsed = _parse(path, files[path], problems)
        if parsed is None:
            continue
        data, node = parsed
        try:
            rubrics[_stem(path)] = Rubric.model_validate(data)
        except ValidationError as exc:
            problems.extend(_validation_problems(path, node, exc, data))
    return rubrics


def _stem(path: str) -> str:
    """Return the file name without folders or extension."""
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _load_topic_file(
    path: str, text: str, topics: Mapping[str, Topic], problems: list[BankProblem]
) -> list[BankQuestion]:
    """Load one question file and check it against the taxonomy; valid questions survive a bad neighbour."""
    parsed = _parse(path, text, problems)
    if parsed is None:
        return []
    data, node = parsed
    try:
        topic_file = TopicFile.model_validate(data)
        topic_id, indexed = topic_file.topic, list(enumerate(topic_file.questions))
    except ValidationError as exc:
        problems.extend(_validation_problems(path, node, exc, data))
        topic_id, indexed = _salvage(data)
        if topic_id is None:
            return []
    area = path.split("/")[1]
    problems.extend(_topic_file_problems(path, node, topic_id, area, topics))
    return [
        BankQuestion(
            question=q, topic=topic_id, area=area, source=path, line=yaml_lines.line_of(node, ("questions", i))
        )
        for i, q in indexed
    ]


def _salvage(data: dict[str, Any]) -> tuple[str | None, list[tuple[int, Question]]]:
    """From a file that failed validation, keep the questions that are valid on their own (errors already told)."""
    topic = data.get("topic")
    questions = data.get("questions")
    if not isinstance(topic, str) or not isinstance(questions, list):
        return None, []
    kept = []
    for index, raw in enumerate(questions):
        try:
            kept.append((index, _QUESTION.validate_python(raw)))
        except ValidationError:
            continue
    return topic, kept


def _topic_file_problems(
    path: str, node: Any, topic_id: str, area: str, topics: Mapping[str, Topic]
) -> list[BankProblem]:
    """Check a file's topic exists, matches its area folder and its file name."""
    line = yaml_lines.line_of(node, ("topic",))
    topic = topics.get(topic_id)
    found = []
    if topic is None:
        found.append(f"topic `{topic_id}` is not in topics.yaml")
    elif topic.area != area:
        found.append(
            f"topic `{topic.id}` is in area `{topic.area}`, so its file belongs in question_bank/{topic.area}/"
        )
    if _stem(path) != topic_id:
        found.append(f"file name must match its topic: expected {topic_id}.yaml")
    return [BankProblem(file=path, line=line, message=message) for message in found]


def _question_files(files: Iterable[str], problems: list[BankProblem]) -> list[str]:
    """Return the question files, flagging files in places the format does not allow."""
    result = []
    for path in sorted(files):
        if path == TOPICS_PATH or not path.startswith("question_bank/"):
            continue
        parts = path.split("/")
        if len(parts) != 3 or parts[1] not in ("coding", "maths", "ml") or not path.endswith(".yaml"):
            problems.append(
                BankProblem(
                    file=path,
                    line=1,
                    message="unexpected file: questions live in question_bank/<coding|maths|ml>/<topic>.yaml",
                )
            )
            continue
        result.append(path)
    return result


def _cross_check(questions: list[BankQuestion], rubrics: Mapping[str, Rubric], problems: list[BankProblem]) -> None:
    """Check ids are unique and rubrics exist (any kind may sit in any area: a maths topic can ask concepts)."""
    counts = Counter(q.id for q in questions)
    first_seen: dict[str, BankQuestion] = {}
    for q in questions:
        if counts[q.id] > 1 and q.id in first_seen:
            other = first_seen[q.id]
            problems.append(question_problem(q, f"duplicate question id (also at {other.source}:{other.line})"))
        first_seen.setdefault(q.id, q)
        if q.question.rubric is not None and q.question.rubric not in rubrics:
            problems.append(question_problem(q, f"rubric `{q.question.rubric}` not found in rubrics/"))


def load_bank(files: Mapping[str, str]) -> tuple[Bank, list[BankProblem]]:
    """Load a bank from {relative path: text}; return what loaded plus every problem found."""
    problems: list[BankProblem] = []
    topics = _load_topics(files, problems)
    rubrics = _load_rubrics(files, problems)
    questions: list[BankQuestion] = []
    for path in _question_files(files, problems):
        questions.extend(_load_topic_file(path, files[path], topics, problems))
    _cross_check(questions, rubrics, problems)
    if not questions and not problems:
        problems.append(BankProblem(file="question_bank", line=1, message="the bank has no questions"))
    bank = Bank(topics=topics, questions={q.id: q for q in questions}, rubrics=rubrics)
    return bank, problems
