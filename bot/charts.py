"""Progress charts as PNG bytes (matplotlib, headless), readable on Discord's dark and light themes and in a file.

Left: mastery per topic with its uncertainty (±1 sd whiskers) and weekly trend. Right, when there is history:
mastery over time for the weakest topics, with a shaded uncertainty band.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.service import HistoryPoint, TopicStat

TEXT = "#8e9297"  # mid grey: legible on both #313338 (dark) and #ffffff (light)
LINES = ["#5865f2", "#eb459e", "#faa61a", "#3ba55d", "#ed4245"]
TREND_TOPICS = 5


def _colour(mastery: float) -> str:
    """Red for weak, amber for middling, green for strong."""
    if mastery < 0.4:
        return "#ed4245"
    return "#faa61a" if mastery < 0.7 else "#3ba55d"


def _label(topic: TopicStat) -> str:
    """`62% ±9 ▲8` : mastery, uncertainty and the week's change in points."""
    text = f"{topic.mastery:.0%} ±{topic.mastery_sd * 100:.0f}"
    if topic.trend is not None and abs(topic.trend) >= 0.005:
        text += f" {'▲' if topic.trend > 0 else '▼'}{abs(topic.trend) * 100:.0f}"
    return text


def _style(ax: Axes) -> None:
    """Grey text and spines for both themes."""
    ax.tick_params(colors=TEXT)
    for spine in ax.spines.values():
        spine.set_color(TEXT)


def _bars(ax: Axes, topics: Sequence[TopicStat]) -> None:
    """Mastery bars, weakest at the top, with uncertainty whiskers and labels."""
    rows = sorted(topics, key=lambda t: t.mastery, reverse=True)
    values = [t.mastery * 100 for t in rows]
    errors = [t.mastery_sd * 100 for t in rows]
    bars = ax.barh(
        [t.title for t in rows],
        values,
        xerr=errors,
        color=[_colour(t.mastery) for t in rows],
        error_kw={"ecolor": TEXT, "capsize": 3, "elinewidth": 1},
    )
    for bar, topic, error in zip(bars, rows, errors, strict=True):
        ax.text(
            min(bar.get_width() + error + 2, 101),
            bar.get_y() + bar.get_height() / 2,
            _label(topic),
            va="center",
            color=TEXT,
            fontsize=8,
        )
    ax.set_xlim(0, 135)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("mastery (%) ± uncertainty · ▲▼ change this week", color=TEXT)
    _style(ax)


def _history(ax: Axes, history: Sequence[HistoryPoint], titles: dict[str, str], order: list[str]) -> None:
    """Mastery over time for up to `TREND_TOPICS` topics (the weakest first), with ±1 sd bands."""
    shown = [t for t in order if any(p.topic == t for p in history)][:TREND_TOPICS]
    for colour, topic in zip(LINES, shown, strict=False):
        points = [p for p in history if p.topic == topic]
        when = [p.at for p in points]
        mid = [p.mastery * 100 for p in points]
        low = [max(0.0, (p.mastery - p.mastery_sd) * 100) for p in points]
        high = [min(100.0, (p.mastery + p.mastery_sd) * 100) for p in points]
        ax.plot(when, mid, marker="o", markersize=3, color=colour, label=titles.get(topic, topic))
        ax.fill_between(when, low, high, color=colour, alpha=0.15, linewidth=0)
    ax.set_ylim(0, 100)
    ax.set_ylabel("mastery (%)", color=TEXT)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=4))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.legend(fontsize=7, labelcolor=TEXT, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    ax.set_title("last 30 days", color=TEXT, fontsize=9)
    _style(ax)


def mastery_chart(topics: list[TopicStat], title: str, history: Sequence[HistoryPoint] = ()) -> bytes:
    """The progress chart as PNG bytes, on a transparent background.

    Built on a bare `Figure` (no pyplot), so charts can be drawn on several threads at once.
    """
    height = 0.42 * max(len(topics), 3) + 1.4
    if history:
        fig = Figure(figsize=(11, height), dpi=110)
        left, right = fig.subplots(1, 2, width_ratios=[3, 2])
    else:
        fig = Figure(figsize=(7, height), dpi=110)
        left, right = fig.subplots(), None
    _bars(left, topics)
    if right is not None:
        order = [t.topic for t in sorted(topics, key=lambda t: t.mastery)]
        _history(right, history, {t.topic: t.title for t in topics}, order)
    fig.suptitle(title, color=TEXT)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", transparent=True)
    return buffer.getvalue()
