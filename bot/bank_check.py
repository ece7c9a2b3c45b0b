"""Deep bank checks that need the graders: references must grade as correct, answers must parse."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.adapters.bank_files import load_bank_dir
from bot.engine.bank import Bank, BankProblem, question_problem
from bot.engine.coverage import coverage_problems
from bot.engine.duplicates import near_duplicates
from bot.engine.grading.coding import syntax_error
from bot.engine.grading.maths_parse import MathsParseError, parse_bank_expression
from bot.engine.grading.result import GradeResult
from bot.engine.models import BankQuestion, CodingQuestion, ConceptQuestion, MathsQuestion
from bot.grader import OfflineGrader

REFERENCE_MIN_SCORE = 0.9
WRONG_ANSWER_MAX_SCORE = 0.4


def check_question(item: BankQuestion, grader: OfflineGrader) -> list[BankProblem]:
    """Check that one question is gradable by its own reference answer or solution."""
    q = item.question
    if isinstance(q, MathsQuestion):
        return _check_maths(item, q) or _check_maths_forms(item, q, grader)
    if isinstance(q, ConceptQuestion):
        return _check_concept(item, q, grader)
    return _check_coding(item, q, grader)


def _check_concept(item: BankQuestion, q: ConceptQuestion, grader: OfflineGrader) -> list[BankProblem]:
    """The reference answer must score as correct and every listed wrong answer as wrong."""
    problems = []
    result = grader.grade(item, q.reference_answer)
    if result.score < REFERENCE_MIN_SCORE:
        missed = ", ".join(p.id for p in result.points if p.credit < 1.0) or "-"
        problems.append(
            question_problem(
                item,
                f"reference_answer scores {result.score:.2f} against its own key points "
                f"(needs {REFERENCE_MIN_SCORE}); not fully earned: {missed}",
            )
        )
    for index, answer in enumerate(q.wrong_answers, start=1):
        wrong = grader.grade(item, answer)
        if wrong.score > WRONG_ANSWER_MAX_SCORE:
            earned = ", ".join(p.id for p in wrong.points if p.hit) or "-"
            problems.append(
                question_problem(
                    item,
                    f"wrong_answers[{index}] scores {wrong.score:.2f} (must be <= {WRONG_ANSWER_MAX_SCORE}); "
                    f"credited: {earned}",
                )
            )
    return problems


def _check_maths_forms(item: BankQuestion, q: MathsQuestion, grader: OfflineGrader) -> list[BankProblem]:
    """Listed equivalent forms must be accepted; listed wrong forms must be read and rejected."""
    problems = []
    for index, form in enumerate(q.equivalent_forms, start=1):
        result = grader.grade(item, form)
        if not result.passed:
            problems.append(
                question_problem(item, f"equivalent_forms[{index}] `{form}` is not accepted: {_first_line(result)}")
            )
    for index, form in enumerate(q.wrong_forms, start=1):
        result = grader.grade(item, form)
        if result.passed:
            problems.append(question_problem(item, f"wrong_forms[{index}] `{form}` is accepted as correct"))
        elif result.verdict == "unreadable":
            problems.append(
                question_problem(item, f"wrong_forms[{index}] `{form}` cannot be read: {_first_line(result)}")
            )
    return problems


def _first_line(result: GradeResult) -> str:
    """The first line of a grader's feedback."""
    return result.feedback.strip().splitlines()[0] if result.feedback.strip() else result.verdict


def _check_maths(item: BankQuestion, q: MathsQuestion) -> list[BankProblem]:
    """A maths expression answer must parse with its declared variables."""
    if q.answer.expression is None:
        return []
    try:
        parsed = parse_bank_expression(q.answer.expression, q.answer.variables, q.answer.assumptions)
    except MathsParseError as exc:
        return [question_problem(item, f"answer.expression: {exc}")]
    undeclared = {str(s) for s in parsed.free_symbols} - set(q.answer.variables)
    if q.answer.variables and undeclared:
        return [question_problem(item, f"answer.expression uses undeclared variables: {', '.join(sorted(undeclared))}")]
    return []


def _check_coding(item: BankQuestion, q: CodingQuestion, grader: OfflineGrader) -> list[BankProblem]:
    """Starter code must parse; the reference solution must pass every test."""
    problems = []
    for field, code in (
        ("starter_code", q.starter_code),
        ("reference_solution", q.reference_solution),
        ("check", q.check),
    ):
        error = syntax_error(code) if code else None
        if error:
            problems.append(question_problem(item, f"{field} does not parse: {error}"))
    if problems:
        return problems
    result = grader.grade(item, q.reference_solution)
    if not result.passed:
        detail = " | ".join(line for line in result.feedback.splitlines() if line)
        problems.append(question_problem(item, f"reference_solution fails its own tests ({result.verdict}): {detail}"))
    for index, (why, code) in enumerate(q.wrong_solution_codes, start=1):
        wrong = grader.grade(item, code)
        if wrong.passed:
            label = f" ({why})" if why else ""
            problems.append(question_problem(item, f"wrong_solutions[{index}]{label} passes every test"))
    return problems


def check_bank(
    bank_dir: Path,
    grader: OfflineGrader,
    progress: Callable[[int, int], None] | None = None,
    strict: bool = False,
) -> tuple[Bank, list[BankProblem]]:
    """Load a bank folder and run every check (with `strict`, the shipped bank's coverage minimums too);
    return the bank and all problems, in file order."""
    bank, problems = load_bank_dir(bank_dir)
    problems.extend(near_duplicates(bank))
    if strict:
        problems.extend(coverage_problems(bank))
    items = list(bank.questions.values())
    done = 0
    with ThreadPoolExecutor(max_workers=4) as pool:
        for found in pool.map(lambda i: check_question(i, grader), items):
            problems.extend(found)
            done += 1
            if progress is not None:
                progress(done, len(items))
    problems.sort(key=lambda p: (p.file, p.line, p.question_id))
    return bank, problems
