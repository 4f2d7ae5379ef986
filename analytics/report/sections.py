"""The sections of a class's report, in order: one list for the Dash page and the HTML export.

Each section has an id (``<id>-card`` on the page and in the file), a title and the help text a
teacher reads above it. The page (:mod:`analytics.report.pages.session_report`) and the export
(:mod:`analytics.report.export`) each render a section's body in their own medium (Dash
components, an HTML string) from a table keyed by these ids, and both walk :data:`SECTIONS`;
a test checks that each covers every section. A new chart is one entry here plus its two bodies.
Plain data: no Dash import.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.report.theme import BASELINE_HELP, MOOD_HELP
from analytics.report_measures import FlagRules

FLAG_RULES_TEXT = (
    "Flagged: mood well below their own usual for {drop:g}+ minutes (beyond any dip the whole class shared), "
    "camera off for {camera:g}+ minutes, away for {away:g}+ minutes (joining late and leaving early count), or "
    "missing a class after attending the previous one. In a short class: {fraction:.0%} of the class."
)


def flag_rules_text(rules: FlagRules | None = None) -> str:
    """What gets a student flagged, in words, with the rules' numbers."""
    rules = rules or FlagRules()
    return FLAG_RULES_TEXT.format(
        drop=rules.drop_minutes,
        camera=rules.camera_off_minutes,
        away=rules.away_minutes,
        fraction=rules.short_fraction,
    )


@dataclass(frozen=True)
class Section:
    """One card of the class report."""

    id: str
    title: str
    help: str
    #: how to use the card on the page, and in the saved file (sorting, switching views differ)
    page_hint: str = ""
    export_hint: str = ""
    #: shown side by side with the next section that also has ``pair`` (a two-column row)
    pair: bool = False

    def help_for(self, medium: str) -> str:
        """The help text on the ``"page"`` or in the ``"export"``."""
        hint = self.page_hint if medium == "page" else self.export_hint
        return f"{self.help} {hint}".strip()


SECTIONS: tuple[Section, ...] = (
    Section(
        "mood",
        "Class mood over time",
        "Coloured bands: the share of visible faces showing each expression (left axis). Dark line: the class's "
        "average mood over 2 minutes (right axis). " + MOOD_HELP + " Grey stripes: no capture.",
    ),
    Section(
        "moments",
        "Moments",
        "When the class's mood dipped, negative expressions rose, or the mood lifted, compared with the rest of "
        "the class.",
        page_hint="The numbers match the marks above the chart.",
        pair=True,
    ),
    Section("flags", "Needs attention", flag_rules_text(), pair=True),
    Section("heatmap", "Each student over time", BASELINE_HELP, export_hint="Use the buttons to switch views."),
    Section(
        "attendance",
        "Attendance",
        "",
        page_hint="Click a column to sort. Minutes present count every capture the student's tile was in the "
        "gallery; camera on is the share of that time a face was visible. Click a name for the student's page.",
        export_hint="Click a column heading to sort.",
    ),
)


def rows(sections: tuple[Section, ...] = SECTIONS) -> list[list[Section]]:
    """The sections grouped into rows: a pair of ``pair`` sections shares a row, the others have one each."""
    grouped: list[list[Section]] = []
    for section in sections:
        if section.pair and grouped and len(grouped[-1]) == 1 and grouped[-1][0].pair:
            grouped[-1].append(section)
        else:
            grouped.append([section])
    return grouped
