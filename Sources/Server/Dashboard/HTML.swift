import AlmanacCore
import CronSchedule
import Foundation
import Status

/// Small helpers for server-rendered HTML: escaping, and the page shell with its inline style
/// and script (no CDN, no build step).
enum HTML {
    /// Escapes text for element content and quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func time(_ date: Date?) -> String {
        guard let date else { return "–" }
        return "<time datetime=\"\(RFC3339.format(date))\">\(escape(RFC3339.format(date)))</time>"
    }

    static func duration(_ ms: Int?) -> String { ms.map(StatusRenderer.duration) ?? "–" }

    /// "100% of 4 · 3 retries": occurrences by their final attempt, retries apart.
    static func successRate(_ job: JobStatus) -> String {
        guard let rate = job.successRate else { return "–" }
        let retries = job.retries == 0 ? "" : job.retries == 1 ? " · 1 retry" : " · \(job.retries) retries"
        return String(format: "%.0f%% of %d", rate * 100, job.runs) + retries
    }

    /// An attempt's lateness: to the tenth of a millisecond when the runner journaled it (a
    /// healthy fire is well under one), else the whole milliseconds its timestamps give.
    static func lateness(_ view: ExecutionView) -> String {
        guard let us = view.lateUs, us < 1_000_000 else { return duration(view.lateMs) }
        return String(format: "%.1fms", Double(us) / 1000)
    }

    static func outcome(_ text: String?) -> String {
        guard let text else { return "<span class=muted>–</span>" }
        return "<span class=\"pill \(css(text))\">\(escape(text))</span>"
    }

    /// The colour class of a state or outcome, for its pill and its mark in the run strip.
    static func css(_ text: String) -> String {
        text == "success" || text == "published" ? "ok" : text == "running" || text == "pending" || text == "processing"
            ? "run" : text == "partial" || text == "paused" || text == "cancelled" || text == "skipped" ? "warn" : "bad"
    }

    /// The page shell. `tools` (the overview's search and filters, the job page's backfill form)
    /// stay as they are while the live part, `body`, is replaced on each update, so typing in
    /// them is never interrupted. `job` names the job page's job: its stream is that job's.
    static func page(title: String, body: String, tools: String = "", job: String? = nil) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title><style>\(style)</style></head>
        <body\(job.map { " data-job=\"\(escape($0))\"" } ?? "")><header><a href="/" class=brand>Almanac</a>
        <span id=conn class=wait title="live updates from GET /api/v1/events">○ connecting…</span>
        <label>API token <input id=token type=password autocomplete=off placeholder="for trigger / pause / resume"></label>
        <span id=flash></span></header>
        <main id=main>\(tools)<div id=live>\(body)</div></main>
        <script>\(script)</script></body></html>
        """
    }

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
        header{display:flex;gap:1.5em;align-items:center;padding:.7em 1.5em;background:#1d2330;color:#e8ebf1}
        header label{margin-left:auto;font-size:12px}header input{margin-left:.5em;padding:.25em .4em}
        .brand{color:#fff;font-weight:700;font-size:18px;text-decoration:none}
        #conn{font-size:12px}#conn.up{color:#7ee2a0}#conn.down{color:#ff9b9b}#conn.wait{color:#c5cbd6}
        main{padding:1em 1.5em}h1{font-size:20px}h2{font-size:16px;margin-top:1.6em}
        table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 2px #0001}
        th,td{text-align:left;padding:.4em .6em;border-bottom:1px solid #e5e8ee;vertical-align:top}
        th{background:#eef1f5;font-weight:600;font-size:12px;text-transform:uppercase;color:#4a5366}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        .pill{padding:.1em .5em;border-radius:1em;font-size:12px}.ok{background:#d9f5e1;color:#176b34}
        .bad{background:#fde0e0;color:#9b1c1c}.warn{background:#fff1cc;color:#7a5600}.run{background:#dce8ff;color:#1f4fa8}
        .strip{white-space:nowrap}.strip a{display:inline-block;width:9px;height:18px;margin-right:2px;border-radius:2px;vertical-align:middle}
        .strip a.ok{background:#2ea05a}.strip a.bad{background:#d64545}.strip a.warn{background:#e0a91b}.strip a.run{background:#4c8bf5}
        .muted{color:#8a93a6}pre{margin:0;white-space:pre-wrap;max-width:40em;max-height:8em;overflow:auto;font-size:12px}
        button{font-size:12px;padding:.15em .6em;margin-right:.2em;cursor:pointer}
        .tools{display:flex;gap:1em;align-items:center;margin:.6em 0;font-size:13px}.tools input,.tools select{padding:.25em .4em}
        form.backfill{background:#fff;box-shadow:0 1px 2px #0001;padding:.6em 1em;margin-top:1em}form.backfill label{margin-right:1em}
        .problems{background:#fff4f4;border:1px solid #f3c2c2;padding:.6em 1em}.problems code{display:block}
        tr:target{background:#fffbe6}code.expr{background:#eef1f5;padding:.05em .35em;border-radius:3px}
        #flash{font-size:12px}svg{background:#fff;box-shadow:0 1px 2px #0001}
        """
}
