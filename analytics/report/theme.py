"""Look of the report: one colour and one plain name per emotion, fonts, the page CSS.

Every figure, table and legend takes its emotion colours and names from
here, so Happy is the same yellow everywhere.
"""

from __future__ import annotations

from analytics.schema import EMOTIONS

#: Display name of each stored emotion.
EMOTION_NAMES: dict[str, str] = {
    "neutral": "Neutral",
    "happiness": "Happy",
    "surprise": "Surprised",
    "sadness": "Sad",
    "anger": "Angry",
    "disgust": "Disgusted",
    "fear": "Afraid",
    "contempt": "Contemptuous",
}

#: One colour per emotion, used in every figure.
EMOTION_COLORS: dict[str, str] = {
    "neutral": "#b8c1cc",
    "happiness": "#f2c14e",
    "surprise": "#5fb7c9",
    "sadness": "#4a6fb5",
    "anger": "#d1495b",
    "disgust": "#7a9e3f",
    "fear": "#8a6bbd",
    "contempt": "#b07b4f",
}

assert set(EMOTION_NAMES) == set(EMOTIONS) == set(EMOTION_COLORS)

FONT = "Inter, 'Segoe UI', system-ui, -apple-system, Roboto, 'Helvetica Neue', Arial, sans-serif"
TEXT = "#27313d"
MUTED = "#667085"
GRID = "#e9edf2"
ACCENT = "#2f6f9f"
VALENCE_LINE = "#1f3b57"
CLASS_LINE = "#98a2b3"
GAP_FILL = "rgba(120, 130, 145, 0.12)"
ABSENT_FILL = "#ffffff"
CAMERA_OFF_FILL = "#dfe3e8"

#: Diverging scale for mood (valence): warm brown for negative, pale for neutral, teal for positive.
VALENCE_SCALE = [
    [0.0, "#8c510a"],
    [0.25, "#d8b365"],
    [0.5, "#f5f5f0"],
    [0.75, "#5ab4ac"],
    [1.0, "#01665e"],
]

MOOD_HELP = (
    "Mood score, from -1 (negative) to +1 (positive): for each face, Happy counts +1, Surprised +0.5, "
    "Sad, Angry, Afraid, Disgusted and Contemptuous -1 each, Neutral 0, weighted by how strongly each shows."
)
BASELINE_HELP = (
    "Compared with their usual: the student's mood minus their own typical (median) mood over this class, so "
    "someone who looks serious at rest is not marked down for it."
)

CSS = f"""
:root {{ --text: {TEXT}; --muted: {MUTED}; --accent: {ACCENT}; --line: #e4e7ec; --bg: #f6f7f9; }}
* {{ box-sizing: border-box; }}
html, body {{ margin: 0; padding: 0; background: var(--bg); color: var(--text);
  font-family: {FONT}; font-size: 15px; line-height: 1.45; }}
a {{ color: var(--accent); text-decoration: none; }}
a:hover {{ text-decoration: underline; }}
.cm-header {{ background: #ffffff; border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 10; }}
.cm-header-inner {{ max-width: 1400px; margin: 0 auto; padding: 10px 24px; display: flex; align-items: center;
  gap: 22px; flex-wrap: wrap; }}
.cm-brand {{ font-weight: 700; font-size: 18px; color: var(--text); letter-spacing: 0.2px; }}
.cm-brand span {{ color: var(--accent); }}
.cm-nav {{ display: flex; gap: 16px; flex-wrap: wrap; }}
.cm-nav a {{ color: var(--muted); font-weight: 500; padding: 4px 2px; }}
.cm-nav a:hover {{ color: var(--text); text-decoration: none; }}
.cm-live-dot {{ display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: #d1495b;
  margin-right: 5px; vertical-align: middle; }}
.cm-user {{ margin-left: auto; display: flex; align-items: center; gap: 10px; color: var(--muted); font-size: 14px; }}
.cm-user form {{ margin: 0; }}
.cm-button {{ font: inherit; font-size: 14px; padding: 6px 12px; border-radius: 6px; border: 1px solid #cfd5dd;
  background: #fff; color: var(--text); cursor: pointer; }}
.cm-button:hover {{ background: #f1f3f6; }}
.cm-button.primary {{ background: var(--accent); border-color: var(--accent); color: #fff; }}
.cm-button.primary:hover {{ background: #285f88; }}
.cm-button.danger {{ color: #b42318; border-color: #f1b5ae; }}
.cm-main {{ max-width: 1400px; margin: 0 auto; padding: 20px 24px 48px; }}
h1 {{ font-size: 24px; font-weight: 650; margin: 6px 0 4px; }}
h2 {{ font-size: 18px; font-weight: 650; margin: 0 0 4px; }}
h3 {{ font-size: 15px; font-weight: 650; margin: 14px 0 6px; }}
.cm-sub {{ color: var(--muted); margin: 0 0 16px; }}
.cm-card {{ background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px;
  margin: 0 0 18px; }}
.cm-card-head {{ display: flex; align-items: baseline; justify-content: space-between; gap: 12px; flex-wrap: wrap; }}
.cm-help {{ color: var(--muted); font-size: 13px; margin: 2px 0 10px; }}
.cm-kpis {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 0 0 18px; }}
.cm-kpi {{ background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }}
.cm-kpi .label {{ color: var(--muted); font-size: 13px; }}
.cm-kpi .value {{ font-size: 22px; font-weight: 650; margin-top: 2px; }}
.cm-kpi .note {{ color: var(--muted); font-size: 12px; }}
.cm-grid-2 {{ display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 18px; }}
@media (max-width: 1100px) {{ .cm-grid-2 {{ grid-template-columns: minmax(0, 1fr); }} }}
table.cm-table {{ width: 100%; border-collapse: collapse; font-size: 14px; }}
table.cm-table th {{ text-align: left; font-weight: 600; color: var(--muted); font-size: 13px;
  border-bottom: 1px solid var(--line); padding: 7px 10px; white-space: nowrap; }}
table.cm-table td {{ border-bottom: 1px solid #f0f2f5; padding: 7px 10px; vertical-align: top; }}
table.cm-table td.num, table.cm-table th.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
table.cm-table tr:hover td {{ background: #fafbfc; }}
.cm-pill {{ display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600;
  background: #eef2f6; color: #475467; white-space: nowrap; }}
.cm-pill.live {{ background: #fde8ea; color: #b42335; }}
.cm-pill.warn {{ background: #fff4e5; color: #9a5b00; }}
.cm-pill.ok {{ background: #e8f5ef; color: #1f7a4d; }}
.cm-list {{ list-style: none; margin: 0; padding: 0; }}
.cm-list li {{ padding: 9px 0; border-bottom: 1px solid #f0f2f5; }}
.cm-list li:last-child {{ border-bottom: none; }}
.cm-list .when {{ color: var(--muted); font-size: 13px; white-space: nowrap; }}
.cm-list .who {{ font-weight: 600; }}
.cm-empty {{ color: var(--muted); font-style: italic; padding: 6px 0; }}
.cm-legend {{ display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 13px; color: var(--muted); margin: 4px 0 6px; }}
.cm-swatch {{ display: inline-block; width: 11px; height: 11px; border-radius: 3px; margin-right: 5px;
  vertical-align: -1px; }}
.cm-controls {{ display: flex; gap: 22px; flex-wrap: wrap; align-items: center; font-size: 14px; margin: 4px 0 8px; }}
.cm-controls label {{ margin-right: 10px; cursor: pointer; }}
.cm-controls .title {{ color: var(--muted); margin-right: 8px; }}
.cm-filters {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px;
  align-items: end; margin-bottom: 12px; }}
.flabel {{ font-size: 13px; color: var(--muted); margin-bottom: 4px; }}
.cm-form-row {{ display: flex; gap: 10px; flex-wrap: wrap; align-items: flex-end; margin: 8px 0; }}
.cm-input {{ font: inherit; padding: 6px 9px;
  border: 1px solid #cfd5dd; border-radius: 6px; min-width: 180px; }}
.cm-message {{ margin: 8px 0; font-size: 14px; }}
.cm-message.error {{ color: #b42318; }}
.cm-message.ok {{ color: #1f7a4d; }}
.cm-banner {{ background: #fff4e5; border: 1px solid #f5d9a8; color: #7a4a00; border-radius: 8px; padding: 9px 12px;
  margin: 0 0 14px; font-size: 14px; }}
.cm-thumb {{ width: 72px; height: 72px; border-radius: 8px; object-fit: cover; border: 1px solid var(--line); }}
.cm-student-head {{ display: flex; gap: 14px; align-items: center; }}
.cm-names {{ columns: 3 180px; font-size: 14px; margin: 4px 0 0; padding-left: 18px; }}
.ag-theme-quartz {{ --ag-font-family: {FONT}; --ag-font-size: 14px; }}
.ag-layout-auto-height .ag-center-cols-viewport, .ag-layout-auto-height .ag-center-cols-container
  {{ min-height: 0 !important; }}
"""


def emotion_name(emotion: str | None) -> str:
    return EMOTION_NAMES.get(emotion or "", "-")
