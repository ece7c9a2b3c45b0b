"""Read a bank folder (question_bank/ and rubrics/) into {relative path: text} for the engine."""

from __future__ import annotations

from pathlib import Path

from bot.engine.bank import Bank, BankError, BankProblem, load_bank

MAX_FILE_BYTES = 2 * 1024 * 1024


def read_bank_files(bank_dir: Path) -> tuple[dict[str, str], list[BankProblem]]:
    """Read every non-hidden file under question_bank/ and rubrics/; unreadable files become problems."""
    files: dict[str, str] = {}
    problems: list[BankProblem] = []
    if not (bank_dir / "question_bank").is_dir():
        problems.append(
            BankProblem(file=str(bank_dir), line=1, message="not a bank folder: it has no question_bank/ folder")
        )
        return files, problems
    for sub in ("question_bank", "rubrics"):
        root = bank_dir / sub
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if not path.is_file() or any(part.startswith(".") for part in path.relative_to(bank_dir).parts):
                continue
            relative = path.relative_to(bank_dir).as_posix()
            problem = _read(path, relative, files)
            if problem is not None:
                problems.append(problem)
    return files, problems


def _read(path: Path, relative: str, files: dict[str, str]) -> BankProblem | None:
    """Read one file as UTF-8 into `files`, or return the problem."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return BankProblem(file=relative, line=1, message=f"file is larger than {MAX_FILE_BYTES} bytes")
        files[relative] = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return BankProblem(file=relative, line=1, message=f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        return BankProblem(file=relative, line=1, message=f"cannot read: {exc.strerror}")
    return None


def load_bank_dir(bank_dir: Path) -> tuple[Bank, list[BankProblem]]:
    """Load a bank folder; return the bank and every problem found."""
    files, problems = read_bank_files(bank_dir)
    bank, more = load_bank(files)
    return bank, problems + more


def load_bank_strict(bank_dir: Path) -> Bank:
    """Load a bank folder, raising BankError if it has any problem."""
    bank, problems = load_bank_dir(bank_dir)
    if problems:
        raise BankError(problems)
    return bank
