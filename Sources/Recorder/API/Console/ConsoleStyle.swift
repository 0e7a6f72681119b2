/// The console's style sheet (`GET /console.css`).
enum ConsoleStyle {
    static let source = ##"""
:root { --fg: #1d2430; --dim: #6b7482; --line: #dde2e8; --bg: #f6f7f9; --card: #fff; --accent: #2a62c9; --rec: #c62a2a; --ok: #1f8a4c; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; gap: 12px; padding: 10px 20px; background: #1d2430; color: #fff; }
header h1 { font-size: 18px; margin: 0; }
header a { color: #c9d6ee; }
header .dim { color: #aab3c0; }
.spacer { flex: 1; }
main { max-width: 1200px; margin: 0 auto; padding: 12px 20px 40px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 14px 0; }
h2 { font-size: 15px; margin: 0 0 10px; display: flex; gap: 12px; align-items: center; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--dim); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.dim { color: var(--dim); }
.path { font-size: 12px; word-break: break-all; }
.error { color: var(--rec); margin: 4px 0; }
.pill { display: inline-block; padding: 0 8px; border-radius: 10px; background: #e8ebef; font-size: 12px; }
.pill.live { background: #dff3e7; color: var(--ok); }
.pill.rec { background: #fbe3e3; color: var(--rec); }
.pill.bad { background: #fff0d6; color: #9a5b00; }
tr.gap td { background: #fff6e0; color: #8a5a00; font-size: 12px; }
button { font: inherit; padding: 3px 10px; border: 1px solid #b9c2ce; border-radius: 4px; background: #fff; cursor: pointer; }
button:hover { border-color: var(--accent); }
button.danger { color: var(--rec); }
.tabs { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 8px; }
.tab.selected { background: var(--accent); color: #fff; border-color: var(--accent); }
details.day { margin: 8px 0; }
summary { cursor: pointer; font-weight: 600; padding: 4px 0; }
form.inline { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; margin-top: 10px; }
form.inline label { display: flex; flex-direction: column; font-size: 12px; color: var(--dim); }
input, select { font: inherit; padding: 3px 6px; border: 1px solid #b9c2ce; border-radius: 4px; }
video { width: 100%; max-height: 420px; background: #000; border-radius: 4px; margin-top: 8px; }
.bar { width: 160px; height: 10px; background: #e8ebef; border-radius: 5px; overflow: hidden; margin-top: 4px; }
.bar .fill { height: 100%; background: var(--accent); }
"""##
}
