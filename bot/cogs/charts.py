"""Mastery charts as PNG bytes (matplotlib, headless), readable on Discord's dark and light themes."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first

from bot.service import TopicStat  # noqa: E402

TEXT = "#8e9297"  # mid grey: legible on both #313338 (dark) and #ffffff (light)


def _colour(mastery: float) -> str:
    """Red for weak, amber for middling, green for strong."""
    if mastery < 0.4:
        return "#ed4245"
    return "#faa61a" if mastery < 0.7 else "#3ba55d"


def mastery_chart(topics: list[TopicStat], title: str) -> bytes:
    """A horizontal bar per topic (weakest at the top), on a transparent background."""
    rows = sorted(topics, key=lambda t: t.mastery, reverse=True)
    fig, ax = plt.subplots(figsize=(7, 0.45 * max(len(rows), 2) + 1.2), dpi=110)
    try:
        names = [t.title for t in rows]
        values = [t.mastery * 100 for t in rows]
        bars = ax.barh(names, values, color=[_colour(t.mastery) for t in rows])
        for bar, topic in zip(bars, rows, strict=True):
            ax.text(
                bar.get_width() + 1,
                bar.get_y() + bar.get_height() / 2,
                f"{topic.mastery:.0%} ({topic.attempts})",
                va="center",
                color=TEXT,
                fontsize=9,
            )
        ax.set_xlim(0, 115)
        ax.set_xlabel("mastery (%) · attempts in brackets", color=TEXT)
        ax.set_title(title, color=TEXT)
        ax.tick_params(colors=TEXT)
        for spine in ax.spines.values():
            spine.set_color(TEXT)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", transparent=True)
        return buffer.getvalue()
    finally:
        plt.close(fig)
