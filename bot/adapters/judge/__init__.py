"""The code judge: bubblewrap isolation, seccomp, cgroups and rlimits around judged code."""

from bot.adapters.judge.runner import Isolation, Judge, JudgeConfig

__all__ = ["Isolation", "Judge", "JudgeConfig"]
