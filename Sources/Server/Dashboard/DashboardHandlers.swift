import AlmanacCore
import Foundation
import Hummingbird
import Daemon
import Journal
import Status

/// The server-rendered dashboard: the jobs table, posts and problems on `/`, one job's history
/// and duration chart on `/jobs/{name}`. Everything user-supplied is HTML-escaped.
struct DashboardHandlers: Sendable {
    let link: RunnerLink
    let access: Access
    let now: @Sendable () -> Date

    func index(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try access.read(request)
        let handle = try await link.require()
        let snapshot = await Snapshot.take(handle, now: now())
        var body = "<h1>Jobs</h1>"
        let problems = snapshot.plan?.diagnostics ?? []
        if !problems.isEmpty {
            body += "<div class=problems><b>Problems</b> (the last good version of these files stays in force)"
                + problems.map { "<code>\(HTML.escape($0.description))</code>" }.joined() + "</div>"
        }
        body += """
            <table id=jobs><thead><tr><th>Name</th><th>Schedule</th><th>Recent runs</th><th>Next fire</th><th>Last result</th>
            <th>Success</th><th>p95</th><th>Actions</th></tr></thead><tbody>
            """
        for job in snapshot.report.jobs where job.kind != "post" {
            body += row(job, recent: snapshot.executions(job.name))
        }
        body += "</tbody></table>"
        let posts = snapshot.posts()
        if !posts.isEmpty {
            body += "<h2>Posts</h2><table id=posts><thead><tr><th>Post</th><th>Scheduled</th><th>State</th><th>Targets</th><th></th></tr></thead><tbody>"
            for post in posts {
                let targets = post.targets.map { target in
                    let label = HTML.escape(target.target) + " " + HTML.outcome(target.state.rawValue)
                    guard let url = target.url, url.hasPrefix("http://") || url.hasPrefix("https://") else { return label }
                    return "<a href=\"\(HTML.escape(url))\" rel=noopener>\(label)</a>"
                }.joined(separator: " ")
                let cancel = post.state == "pending"
                    ? "<button data-action=\"/api/v1/posts/\(post.name)/cancel\">Cancel</button>" : ""
                body += "<tr><td>\(HTML.escape(post.name))</td><td>\(HTML.time(post.scheduledAt))</td><td>\(HTML.outcome(post.state))</td>"
                    + "<td>\(targets.isEmpty ? "–" : targets)</td><td>\(cancel)</td></tr>"
            }
            body += "</tbody></table>"
        }
        body += await runners(handle)
        body += "<p class=muted>\(snapshot.report.jobs.count) job(s) · as of \(HTML.time(snapshot.now)) · "
            + "<a href=\"/api/v1/openapi.json\">API</a> · <a href=\"/metrics\">metrics</a></p>"
        let tools = """
            <div class=tools><input id=q type=search placeholder="Search jobs" aria-label="search jobs">
            <select id=show aria-label="show"><option value="">all jobs</option><option value=failing>failing</option>
            <option value=paused>paused</option><option value=running>running</option></select><span id=count class=muted></span></div>
            """
        return html(HTML.page(title: "Almanac", body: body, tools: tools))
    }

    /// One job's row; `data-name` and `data-flags` (failing, paused, running) are what the
    /// search box and the filter match.
    func row(_ job: JobStatus, recent: [Execution]) -> String {
        let name = HTML.escape(job.name)
        let state = job.running > 0 ? "running" : job.lastOutcome
        let failing = job.lastOutcome.map { !["success", "partial", "skipped"].contains($0) } ?? false
        let tags = [failing ? "failing" : nil, job.paused ? "paused" : nil, job.running > 0 ? "running" : nil].compactMap { $0 }
        let flags = (job.paused ? " " + HTML.outcome("paused") : "") + (job.enabled ? "" : " <span class=muted>(disabled)</span>")
            + (job.problem.map { " <span class=\"pill warn\" title=\"\(HTML.escape($0))\">!</span>" } ?? "")
        return "<tr data-name=\"\(name)\" data-flags=\"\(tags.joined(separator: " "))\"><td><a href=\"/jobs/\(name)\">\(name)</a>\(flags)</td>"
            + "<td>\(HTML.escape(job.schedule))</td><td class=strip>\(RunStrip.html(job.name, recent))</td>"
            + "<td>\(HTML.time(job.nextFire))</td><td>\(HTML.outcome(state))</td>"
            + "<td class=num>\(HTML.successRate(job))</td>"
            + "<td class=num>\(HTML.duration(job.p95DurationMs))</td>"
            + "<td>\(actions(job))</td></tr>"
    }

    /// Run now, and pause or resume: they post with the token from the header's field.
    func actions(_ job: JobStatus) -> String {
        let name = HTML.escape(job.name)
        let toggle = job.paused ? "resume" : "pause"
        return "<button data-action=\"/api/v1/jobs/\(name)/trigger\">Run now</button>"
            + "<button data-action=\"/api/v1/jobs/\(name)/\(toggle)\">\(toggle == "pause" ? "Pause" : "Resume")</button>"
    }

    /// The API path of one attempt's log (the scheduled time percent-encoded: it has `:`, maybe `+`).
    static func logPath(_ name: String, _ execution: Execution) -> String {
        let at = APIJSON.format(execution.key.scheduledAt).addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._"))) ?? ""
        return "/api/v1/jobs/\(name)/executions/\(at)/\(execution.attempt)/log"
    }

    func job(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try access.read(request)
        let name = try APIHandlers.name(context)
        let snapshot = await Snapshot.take(try await link.require(), now: now())
        let job = try snapshot.job(name)
        let executions = Array(snapshot.executions(name).prefix(100))
        let spec = snapshot.specs[name]
        var body = "<h1>\(HTML.escape(name)) <span class=muted>\(HTML.escape(job.kind))</span></h1>"
        let expression = spec.flatMap { spec -> String? in
            if case .cron(let schedule) = spec.trigger { return schedule.expression }
            return nil
        }
        body += "<table><tbody><tr><th>Schedule</th><td>\(HTML.escape(job.schedule))"
            + (expression.map { " <code class=expr>\(HTML.escape($0))</code>" } ?? "") + "</td></tr>"
            + "<tr><th>Next fires</th><td>\(snapshot.nextFires(name).map { HTML.time($0) }.joined(separator: "<br>"))</td></tr>"
            + "<tr><th>Success</th><td>\(HTML.successRate(job))"
            + " · avg \(HTML.duration(job.averageDurationMs)) · p95 \(HTML.duration(job.p95DurationMs))</td></tr>"
            + edges("Runs after", job.after, note: "a success of any of them runs it once")
            + edges("Then runs", job.dependents, note: "each runs once when this one succeeds")
            + "<tr><th>Source</th><td>\(HTML.escape(job.source ?? "–"))\(job.problem.map { " — " + HTML.escape($0) } ?? "")</td></tr>"
            + "</tbody></table><p>\(actions(job))</p>"
        body += "<h2>Durations</h2>" + DurationChart.svg(executions.reversed())
        let cluster = executions.contains { $0.runner != nil }
        body += """
            <h2>Executions</h2><table id=executions><thead><tr><th>Status</th><th>Scheduled</th><th>Started</th><th>Trigger</th>
            <th>Late</th><th>Duration</th><th>Attempt</th><th>Exit</th>\(cluster ? "<th>Runner</th>" : "")<th>Result</th><th>Output (tail)</th></tr></thead><tbody>
            """
        for execution in executions {
            let view = ExecutionView(execution)
            let tail = view.outputTail.map { String($0.suffix(600)) } ?? ""
            body += "<tr id=\"\(RunStrip.anchor(execution))\"><td>\(HTML.outcome(view.status))</td><td>\(HTML.time(view.scheduledAt))</td>"
                + "<td>\(HTML.time(view.startedAt))</td><td>\(HTML.escape(view.triggeredBy ?? "schedule"))</td>"
                + "<td class=num>\(HTML.lateness(view))</td><td class=num>\(HTML.duration(view.durationMs))</td>"
                + "<td class=num>\(view.attempt)</td><td class=num>\(view.exitCode.map(String.init) ?? view.signal.map { "sig \($0)" } ?? "–")</td>"
                + (cluster ? "<td>\(HTML.escape(view.runner ?? "–"))</td>" : "")
                + "<td>\(ResultText.html(execution))</td>"
                + "<td><pre>\(HTML.escape(tail))</pre>\(view.errorClass.map { "<span class=muted>\(HTML.escape($0))</span>" } ?? "")"
                + " <a class=log data-log href=\"\(HTML.escape(Self.logPath(name, execution)))\">full log</a></td></tr>"
        }
        body += "</tbody></table>"
        if job.kind == "post" { body += publications(snapshot.state.jobs[name]) }
        let tools = expression == nil || job.kind == "post" ? "" : backfillForm(name)
        return html(HTML.page(title: "\(name) · Almanac", body: body, tools: tools, job: name))
    }

    /// Each publish target's latest state (its occurrence, when it published, the URL); the
    /// executions above are the post's history, one row per occurrence and attempt.
    func publications(_ state: JobState?) -> String {
        let targets = (state?.publications.values.sorted { $0.target < $1.target }) ?? []
        guard !targets.isEmpty else { return "" }
        var body = "<h2>Targets</h2><table id=targets><thead><tr><th>Target</th><th>State</th><th>Occurrence</th><th>At</th>"
            + "<th>URL</th><th>Message</th></tr></thead><tbody>"
        for target in targets {
            let url = target.url.map { url in
                url.hasPrefix("http://") || url.hasPrefix("https://")
                    ? "<a href=\"\(HTML.escape(url))\" rel=noopener>\(HTML.escape(url))</a>" : HTML.escape(url)
            } ?? "–"
            body += "<tr><td>\(HTML.escape(target.target))</td><td>\(HTML.outcome(target.state.rawValue))</td>"
                + "<td>\(HTML.time(target.scheduledAt))</td><td>\(HTML.time(target.at))</td><td>\(url)</td>"
                + "<td>\(HTML.escape(target.message ?? ""))</td></tr>"
        }
        return body + "</tbody></table>"
    }

    /// Backfill a range of this job's schedule (`POST …/backfill`; needs the API token). The
    /// times are the viewer's local ones, sent as UTC instants; Preview is the dry run.
    func backfillForm(_ name: String) -> String {
        """
        <details><summary>Backfill…</summary><form id=backfill class=backfill data-action="/api/v1/jobs/\(HTML.escape(name))/backfill">
        <label>From <input type=datetime-local name=from required step=1></label><label>To <input type=datetime-local name=to required step=1></label>
        <label>Parallel <input type=number name=parallel min=1 max=100 value=1></label><label><input type=checkbox name=rerun> rerun succeeded</label>
        <button type=submit value=preview>Preview</button><button type=submit value=run>Backfill</button>
        <span id=backfill-result class=muted></span></form></details>
        """
    }

    /// The cluster's runners (beside peers on a shared journal): which leads, and each lease.
    func runners(_ handle: RunnerHandle) async -> String {
        guard handle.runner.journal is any ClusterJournal else { return "" }
        guard let runners = try? await APIHandlers.runners(of: handle) else {
            return "<h2>Runners</h2><p class=problems>the shared journal does not answer</p>"
        }
        var body = "<h2>Runners</h2><table id=runners><thead><tr><th>Runner</th><th>Host</th><th>PID</th><th>Version</th>"
            + "<th>Fires</th><th>Started</th><th>Last heartbeat</th><th>Lease</th></tr></thead><tbody>"
        for runner in runners {
            let lease = runner.live ? "live until " + HTML.time(runner.leaseUntil)
                : runner.stoppedAt.map { "stopped " + HTML.time($0) } ?? "lapsed"
            body += "<tr><td>\(HTML.escape(runner.id))\(runner.leader ? " <b>leader</b>" : "")</td><td>\(HTML.escape(runner.host))</td>"
                + "<td class=num>\(runner.pid)</td><td>\(HTML.escape(runner.version))</td>"
                + "<td>\(HTML.escape(StatusRenderer.fires(runner)))</td><td>\(HTML.time(runner.startedAt))</td>"
                + "<td>\(HTML.time(runner.lastHeartbeat))</td><td>\(lease)</td></tr>"
        }
        return body + "</tbody></table>"
    }

    /// A row of `after:` edges as links to each job's page; nothing when there are none.
    func edges(_ label: String, _ names: [String]?, note: String) -> String {
        guard let names, !names.isEmpty else { return "" }
        let links = names.map { "<a href=\"/jobs/\(HTML.escape($0))\">\(HTML.escape($0))</a>" }.joined(separator: ", ")
        return "<tr><th>\(label)</th><td>\(links) <span class=muted>(\(note))</span></td></tr>"
    }

    func html(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: .init(string: text)))
    }
}

/// An inline SVG bar chart of execution durations, oldest on the left; failures in red.
enum DurationChart {
    static func svg(_ executions: [Execution], width: Int = 900, height: Int = 160) -> String {
        let finished = executions.filter { $0.metrics.durationMs != nil }
        guard !finished.isEmpty else { return "<p class=muted>No finished executions yet.</p>" }
        let peak = max(1, finished.compactMap(\.metrics.durationMs).max() ?? 1)
        let slot = Double(width - 50) / Double(finished.count)
        var bars = ""
        for (index, execution) in finished.enumerated() {
            let ms = execution.metrics.durationMs ?? 0
            let h = max(1, Double(ms) / Double(peak) * Double(height - 30))
            let x = 45 + Double(index) * slot
            let ok = execution.metrics.outcome?.succeeded ?? false
            bars += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\">", x, Double(height - 20) - h,
                           max(1, slot * 0.8), h, ok ? "#4c8bf5" : "#d64545")
                + "<title>\(HTML.escape(RFC3339Date.text(execution.startedAt))): \(StatusRenderer.duration(ms)) \(HTML.escape(execution.metrics.outcome?.rawValue ?? ""))</title></rect>"
        }
        return "<svg width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=img aria-label=\"durations\">"
            + "<text x=\"2\" y=\"12\" font-size=\"11\" fill=\"#4a5366\">\(StatusRenderer.duration(peak))</text>"
            + "<text x=\"2\" y=\"\(height - 22)\" font-size=\"11\" fill=\"#4a5366\">0</text>"
            + "<line x1=\"44\" y1=\"\(height - 20)\" x2=\"\(width)\" y2=\"\(height - 20)\" stroke=\"#c5cbd6\"/>" + bars + "</svg>"
    }
}

enum RFC3339Date {
    static func text(_ date: Date) -> String { APIJSON.format(date) }
}
