"""The `mlprep` command: bank tools, grading, terminal practice and stats."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from bot import __version__, cli_render
from bot.adapters.bank_files import load_bank_dir
from bot.adapters.store import Store, StoreError
from bot.app import build_grader, build_service
from bot.bank_check import check_bank
from bot.batch import grade_lines
from bot.engine.bank import BankError
from bot.engine.coverage import bank_stats, coverage_table
from bot.engine.models import Rubric, TopicFile, TopicsFile
from bot.errors import ConfigError, MlprepError
from bot.practice import run_practice
from bot.service import Filters
from bot.settings import Settings

log = logging.getLogger("mlprep")


def _settings(args: argparse.Namespace) -> Settings:
    """Read settings, with --bank-dir overriding MLPREP_BANK_DIR."""
    try:
        settings = Settings()
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid setting: {details}") from exc
    if getattr(args, "bank_dir", None):
        settings = settings.model_copy(update={"bank_dir": Path(args.bank_dir)})
    return settings


def cmd_bank_validate(args: argparse.Namespace) -> int:
    """Load and check the whole bank; print every problem located."""
    settings = _settings(args)
    grader = build_grader(settings)
    try:
        progress = _progress if sys.stderr.isatty() else None
        bank, problems = check_bank(settings.bank_dir, grader, progress, strict=args.strict)
    finally:
        grader.close()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {settings.bank_dir}", file=sys.stderr)
        return 1
    kinds = Counter(q.question.kind for q in bank.questions.values())
    print(
        f"ok: {len(bank.questions)} questions ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}) "
        f"in {len(bank.topics)} topics, {len(bank.rubrics)} rubric(s)"
    )
    return 0


def _progress(done: int, total: int) -> None:
    """Show progress of a long check on the terminal."""
    print(f"\rchecking questions {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)


def _batch_progress(done: int) -> None:
    """Show how many lines a long batch has graded."""
    print(f"\rgraded {done} line(s)", end="", file=sys.stderr, flush=True)


def cmd_bank_stats(args: argparse.Namespace) -> int:
    """Count questions by kind, topic and difficulty."""
    settings = _settings(args)
    bank, problems = load_bank_dir(settings.bank_dir)
    if problems:
        print(f"warning: the bank has {len(problems)} problem(s); run `mlprep bank validate`", file=sys.stderr)
    stats = bank_stats(bank)
    if args.json:
        print(stats.model_dump_json(indent=2))
        return 0
    if args.markdown:
        print(coverage_table(bank))
        return 0
    print(f"{stats.questions} questions ({stats.numpy_coding} of the coding questions use NumPy)")
    for section in ("by_kind", "by_topic", "by_difficulty"):
        print(f"\n{section.replace('_', ' ')}:")
        for key, count in getattr(stats, section).items():
            print(f"  {key:<28} {count}")
    print("\nby area and difficulty (1-5):")
    for area, levels in stats.by_area_difficulty.items():
        print(f"  {area:<28} " + " ".join(f"{levels.get(str(d), 0):>4}" for d in range(1, 6)))
    return 0


def cmd_bank_schema(args: argparse.Namespace) -> int:
    """Write a JSON Schema of the bank format for editors."""
    model = {"questions": TopicFile, "topics": TopicsFile, "rubric": Rubric}[args.file_type]
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"mlprep {args.file_type} file"
    text = json.dumps(schema, indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _read_answer(args: argparse.Namespace) -> str:
    """The answer from --answer or --answer-file."""
    if args.answer is not None:
        return args.answer
    try:
        return Path(args.answer_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read --answer-file {args.answer_file}: {exc}") from exc


def cmd_grade(args: argparse.Namespace) -> int:
    """Grade one answer and print the result."""
    answer = _read_answer(args)
    service = build_service(_settings(args), store=Store.memory(), seed=0)
    try:
        result = service.grade(args.question_id, answer, llm=args.llm)
    finally:
        service.close()
    if args.json:
        print(json.dumps({"question_id": args.question_id, **result.model_dump(mode="json")}, indent=2))
    else:
        print(cli_render.result(result))
    return 0


def cmd_grade_batch(args: argparse.Namespace) -> int:
    """Grade a JSONL file of answers; a bad line gets an error line and the batch goes on."""
    with contextlib.ExitStack() as stack:
        source = sys.stdin if args.input == "-" else stack.enter_context(_open(args.input, "r"))
        sink = stack.enter_context(_open(args.output, "w")) if args.output else sys.stdout
        service = build_service(_settings(args), store=Store.memory(), seed=0)
        stack.callback(service.close)
        counts = grade_lines(service, source, sink, _batch_progress if sys.stderr.isatty() else None, llm=args.llm)
    print(f"graded {counts['graded']} line(s), {counts['errors']} error line(s)", file=sys.stderr)
    return 0


def _open(path: str, mode: str) -> TextIO:
    """Open a text file, turning OS errors into a clear message."""
    try:
        return Path(path).open(mode, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot open {path}: {exc.strerror}") from exc


def cmd_practice(args: argparse.Namespace) -> int:
    """Interactive practice in the terminal (works with piped stdin)."""
    service = build_service(_settings(args))
    filters = Filters(topic=args.topic, kind=args.kind, difficulty=args.difficulty)
    try:
        run_practice(service, _cli_user(args.user), filters, sys.stdin, sys.stdout)
    finally:
        service.close()
    return 0


def _cli_user(name: str | None) -> str:
    """The external id of a terminal user."""
    if name:
        return f"cli:{name}"
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:local"


def cmd_run(args: argparse.Namespace) -> int:
    """Start the Discord bot."""
    from bot.discord_main import run_bot

    settings = _settings(args)
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise ConfigError(
            "DISCORD_TOKEN is not set: create an application at https://discord.com/developers/applications, "
            "open Bot > Reset Token, and put DISCORD_TOKEN=<token> in .env (see the README's Discord section)"
        )
    return run_bot(settings, token)


def cmd_eval(args: argparse.Namespace) -> int:
    """Measure the offline graders against human-graded answers."""
    from bot.evaluate import evaluate

    service = build_service(_settings(args), store=Store.memory(), seed=0)
    try:
        with _open(args.graded, "r") as source:
            report = evaluate(service, source, worst=args.worst, llm=args.llm)
    finally:
        service.close()
    if args.json:
        print(report.model_dump_json(indent=2))
        return 0
    print(
        f"{report.n} answers · Pearson {report.pearson:.3f} · Spearman {report.spearman:.3f} · "
        f"QWK {report.qwk:.3f} · exact {report.exact:.1%} · adjacent {report.adjacent:.1%} · "
        f"{report.answers_per_s:.0f} answers/s" + (" · with the embedding assist" if report.embeddings else "")
    )
    print(f"adversarial answers scored more than 1.5 above the human: {report.adversarial_violations}")
    for tag, row in report.by_tag.items():
        print(f"  {tag:<16} n={row['n']:<4} human {row['human']:.2f}  grader {row['grader']:.2f}")
    print("worst disagreements:")
    for item in report.worst:
        print(f"  {item.question_id} [{item.tag}] human {item.human} grader {item.grader}: {item.answer[:90]!r}")
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    return 0


def cmd_bench_judge(args: argparse.Namespace) -> int:
    """Measure the judge's per-submission overhead and throughput."""
    from bot.adapters.judge import Judge, JudgeConfig
    from bot.bench import bench_judge

    settings = _settings(args)
    workers = settings.judge_workers or os.cpu_count() or 2
    judge = Judge(JudgeConfig(python=settings.judge_python, allow_weak=settings.allow_weak_sandbox, workers=workers))
    result = bench_judge(judge, runs=args.runs, workers=workers)
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print(
            f"isolation {result.isolation}: overhead median {result.overhead_ms_median} ms, "
            f"p95 {result.overhead_ms_p95} ms over {result.runs} runs; "
            f"{result.submissions_per_s} submissions/s with {result.workers} workers"
        )
    return 0


def cmd_bench_grading(args: argparse.Namespace) -> int:
    """Measure offline grading speed: concept answers per second and maths check latency."""
    from bot.bench import bench_grading

    service = build_service(_settings(args), store=Store.memory(), seed=0)
    try:
        result = bench_grading(service, args.answers, args.checks)
    finally:
        service.close()
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print(
            f"concept: {result.concept_answers_per_s} answers/s over {result.concept_answers}; maths: median "
            f"{result.maths_ms_median} ms, p95 {result.maths_ms_p95} ms over {result.maths_checks} checks"
        )
    return 0


def cmd_bench_selection(args: argparse.Namespace) -> int:
    """Time next-question selection for a user with a long history over a large bank."""
    from bot.app import load_bank_strict
    from bot.bench_selection import bench_selection

    if args.questions < 1 or args.attempts < 0 or args.runs < 1:
        print("error: --questions and --runs must be at least 1, --attempts at least 0", file=sys.stderr)
        return 2
    settings = _settings(args)
    grader = build_grader(settings)

    def progress(done: int, total: int) -> None:
        print(f"  history: {done}/{total} attempts recorded", file=sys.stderr)

    if not args.json:
        print(f"recording {args.attempts} attempts over {args.questions} questions, then timing...", file=sys.stderr)
    try:
        result = bench_selection(
            load_bank_strict(settings.bank_dir),
            grader,
            args.questions,
            args.attempts,
            args.runs,
            progress=None if args.json else progress,
        )
    finally:
        grader.close()
    if args.json:
        print(result.model_dump_json(indent=2))
        return 0
    print(
        f"next question with {result.questions} questions and {result.attempts} past attempts "
        f"({result.reviews} questions scheduled, {result.due_at_start} due): median {result.median_ms} ms, "
        f"p95 {result.p95_ms} ms, max {result.max_ms} ms over {result.runs} picks (history built in {result.setup_s} s)"
    )
    return 0


def cmd_bench_adaptive(args: argparse.Namespace) -> int:
    """Compare random, round-robin and adaptive selection on simulated learners."""
    from bot.bench_adaptive import bench_adaptive
    from bot.engine.simulate import SimConfig

    if args.learners < 1:
        print("error: --learners must be at least 1", file=sys.stderr)
        return 2
    if not args.json:
        print(f"simulating {args.learners} learners x 3 policies (seed {args.seed})...", file=sys.stderr)
    config = SimConfig() if args.best_gap is None else SimConfig(best_gap=args.best_gap)
    result = bench_adaptive(args.learners, args.seed, workers=args.workers, config=config, plot=args.plot)
    if args.json:
        print(result.model_dump_json(indent=2))
        return 0
    print(f"questions until every topic reaches the target (mean over {result.learners} learners):")
    for name in ("random", "round_robin", "adaptive"):
        d = result.detail[name]
        print(
            f"  {name:<12} {d.mean_questions:>7.1f}  (median {d.median_questions:.0f}, reached {d.reached_share:.0%}, "
            f"final skill {d.final_skill:.2f})"
        )
    print(
        f"adaptive needs {result.improvement_vs_random:.0%} fewer questions than random, "
        f"{result.improvement_vs_round_robin:.0%} fewer than round-robin"
    )
    if args.plot:
        print(f"plot written to {args.plot}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    """Mastery per topic with uncertainty and trend, due reviews and streak for a user; optionally a PNG chart."""
    service = build_service(_settings(args))
    try:
        data = service.stats(_cli_user(args.user))
        history = service.history(_cli_user(args.user)) if args.chart else []
    finally:
        service.close()
    print(data.model_dump_json(indent=2) if args.json else cli_render.stats(data))
    if args.chart:
        if not data.topics:
            print("no chart: there are no graded answers yet", file=sys.stderr)
            return 0
        from bot.charts import mastery_chart  # matplotlib is slow to import; only load it when asked

        args.chart.write_bytes(mastery_chart(data.topics, f"Mastery of {data.user}", history))
        print(f"chart written to {args.chart}", file=sys.stderr)
    return 0


def cmd_weak(args: argparse.Namespace) -> int:
    """The user's three weakest topics with why and what to practise next."""
    service = build_service(_settings(args))
    user = _cli_user(args.user)
    try:
        topics = service.weak(user, args.count)
    finally:
        service.close()
    if args.json:
        print(json.dumps([t.model_dump() for t in topics], indent=2))
    else:
        print(cli_render.weak(topics, user.removeprefix("cli:")))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="mlprep",
        description="Mock ML-interview practice: coding, maths and "
        "ML-concept questions, graded, with your weak topics tracked.",
    )
    parser.add_argument("--version", action="version", version=f"mlprep {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO (MLPREP_LOG_LEVEL sets it too)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_bank(sub)
    _add_grade(sub)
    practice = sub.add_parser("practice", help="practise in the terminal")
    practice.add_argument("--topic", help="only this topic id (see `mlprep bank stats`)")
    practice.add_argument("--kind", choices=["coding", "maths", "concept"], help="only this kind of question")
    practice.add_argument("--difficulty", type=int, choices=range(1, 6), metavar="1-5", help="only this difficulty")
    practice.add_argument("--user", help="your name (default: your login name)")
    practice.set_defaults(func=cmd_practice)
    evaluation = sub.add_parser("eval", help="measure grading against human-graded answers")
    evaluation.add_argument("graded", metavar="GRADED.jsonl", help='lines of {"question_id", "answer", "score" (0-5)}')
    evaluation.add_argument("--bank-dir", help="folder holding question_bank/ and rubrics/")
    evaluation.add_argument("--worst", type=int, default=10, help="how many worst disagreements to list")
    evaluation.add_argument("--json", action="store_true", help="print JSON")
    evaluation.add_argument("--llm", action="store_true", help="grade concept answers with the configured LLM")
    evaluation.set_defaults(func=cmd_eval)
    bench = sub.add_parser("bench", help="benchmarks (results go in docs/benchmarks.md)")
    bench_sub = bench.add_subparsers(dest="bench_command", required=True, metavar="BENCHMARK")
    judge = bench_sub.add_parser("judge", help="per-submission overhead and throughput of the code judge")
    judge.add_argument("--runs", type=int, default=60, help="submissions per phase (default 60, at least 50)")
    judge.add_argument("--json", action="store_true", help="print JSON")
    judge.set_defaults(func=cmd_bench_judge)
    grading = bench_sub.add_parser("grading", help="offline grading speed (concept answers/s, maths p95)")
    grading.add_argument("--bank-dir", help="folder holding question_bank/ and rubrics/")
    grading.add_argument("--answers", type=int, default=2000, help="concept answers to grade (default 2000)")
    grading.add_argument("--checks", type=int, default=200, help="maths checks to time (default 200)")
    grading.add_argument("--json", action="store_true", help="print JSON")
    grading.set_defaults(func=cmd_bench_grading)
    adaptive = bench_sub.add_parser("adaptive", help="simulated learners: adaptive vs random vs round-robin selection")
    adaptive.add_argument("--learners", type=int, default=200, help="simulated learners (default 200)")
    adaptive.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    adaptive.add_argument("--workers", type=int, default=2, help="processes to spread learners over (default 2)")
    adaptive.add_argument("--plot", type=Path, help="write a PNG of learners at target vs questions answered")
    adaptive.add_argument(
        "--best-gap",
        type=float,
        help="sensitivity check: where learning peaks, skill minus difficulty on the logit scale (default -0.5)",
    )
    adaptive.add_argument("--json", action="store_true", help="print JSON")
    adaptive.set_defaults(func=cmd_bench_adaptive)
    selection = bench_sub.add_parser("selection", help="next-question latency for a user with a long history")
    selection.add_argument("--questions", type=int, default=500, help="bank size (default 500; copies top it up)")
    selection.add_argument("--attempts", type=int, default=10_000, help="the user's past attempts (default 10000)")
    selection.add_argument("--runs", type=int, default=300, help="picks to time (default 300)")
    selection.add_argument("--json", action="store_true", help="print JSON")
    selection.set_defaults(func=cmd_bench_selection)
    run = sub.add_parser("run", help="start the Discord bot (needs DISCORD_TOKEN)")
    run.set_defaults(func=cmd_run)
    stats = sub.add_parser("stats", help="mastery per topic with uncertainty and trend, due reviews, streak")
    stats.add_argument("--user", help="whose stats (default: your login name)")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.add_argument("--chart", type=Path, metavar="PNG", help="also write the progress chart to this PNG file")
    stats.set_defaults(func=cmd_stats)
    weak = sub.add_parser("weak", help="your three weakest topics, why, and what to practise next")
    weak.add_argument("--user", help="whose topics (default: your login name)")
    weak.add_argument("--count", type=int, default=3, help="how many topics (default 3)")
    weak.add_argument("--json", action="store_true", help="print JSON")
    weak.set_defaults(func=cmd_weak)
    return parser


def _add_bank(sub: Any) -> None:
    """The `bank` subcommands."""
    bank = sub.add_parser("bank", help="check and describe the question bank")
    bank_sub = bank.add_subparsers(dest="bank_command", required=True, metavar="COMMAND")
    validate = bank_sub.add_parser("validate", help="check every file and question; exit 1 on any problem")
    validate.add_argument("--bank-dir", help="folder holding question_bank/ and rubrics/")
    validate.add_argument(
        "--strict",
        action="store_true",
        help="also hold the bank to the shipped bank's coverage minimums (counts, tests, wrong answers, hints)",
    )
    validate.set_defaults(func=cmd_bank_validate)
    stats = bank_sub.add_parser("stats", help="count questions by kind, topic and difficulty")
    stats.add_argument("--bank-dir", help="folder holding question_bank/ and rubrics/")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.add_argument(
        "--markdown", action="store_true", help="print the coverage table by topic and difficulty (as in the docs)"
    )
    stats.set_defaults(func=cmd_bank_stats)
    schema = bank_sub.add_parser("schema", help="write a JSON Schema of the bank format for editors")
    schema.add_argument(
        "--for",
        dest="file_type",
        choices=["questions", "topics", "rubric"],
        default="questions",
        help="which file the schema describes (default: a topic's questions file)",
    )
    schema.add_argument("-o", "--output", help="write to this file instead of stdout")
    schema.set_defaults(func=cmd_bank_schema)


def _add_grade(sub: Any) -> None:
    """The `grade` and `grade-batch` subcommands."""
    grade = sub.add_parser("grade", help="grade one answer")
    grade.add_argument("question_id", metavar="QUESTION_ID")
    source = grade.add_mutually_exclusive_group(required=True)
    source.add_argument("--answer", help="the answer text")
    source.add_argument("--answer-file", help="read the answer from this file")
    grade.add_argument("--bank-dir", help="folder holding question_bank/ and rubrics/")
    grade.add_argument("--json", action="store_true", help="print JSON")
    grade.add_argument("--llm", action="store_true", help="also grade concept answers with the configured LLM")
    grade.set_defaults(func=cmd_grade)
    batch = sub.add_parser("grade-batch", help="grade a JSONL file of answers")
    batch.add_argument("input", metavar="INPUT.jsonl", help="one {id, question_id, answer} per line; - for stdin")
    batch.add_argument("-o", "--output", metavar="OUTPUT.jsonl", help="write results here (default: stdout)")
    batch.add_argument("--bank-dir", help="folder holding question_bank/ and rubrics/")
    batch.add_argument("--llm", action="store_true", help="also grade concept answers with the configured LLM")
    batch.set_defaults(func=cmd_grade_batch)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; domain errors become one clear line and an exit code, never a traceback."""
    args = build_parser().parse_args(argv)
    default_level = "INFO" if args.command == "run" else "WARNING"  # a server process should say what it does
    level = "INFO" if args.verbose else os.environ.get("MLPREP_LOG_LEVEL", default_level).upper()
    logging.basicConfig(
        level=level if level in logging.getLevelNamesMapping() else "WARNING",
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    try:
        return int(args.func(args))
    except BankError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(
            f"error: the question bank has {len(exc.problems)} problem(s); fix them or run `mlprep bank validate`",
            file=sys.stderr,
        )
        return 1
    except (MlprepError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", 1)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
