import Foundation

/// Renders the benchmark rows as a Markdown table, so it pastes straight into a closing note.
func renderTable(_ rows: [BenchResult]) -> String {
    var lines = ["| section | benchmark | almanac | peer | ratio | target |", "|---|---|---|---|---|---|"]
    for r in rows {
        let value = format(r.value) + " " + r.unit
        var peer = "", ratio = ""
        if let p = r.peerValue, let name = r.peer {
            peer = "\(name): \(format(p)) \(r.unit)"
            // Times: how many times faster than the peer; rates: our rate over the peer's.
            let isRate = r.unit.hasSuffix("/s")
            if r.value > 0, p > 0 { ratio = String(format: "%.2f×", isRate ? r.value / p : p / r.value) }
        } else if let name = r.peer {
            peer = name
        }
        var target = r.target ?? ""
        if let met = r.met { target += met ? " ✓" : " ✗" }
        lines.append("| \(r.section) | \(r.name) | \(value) | \(peer) | \(ratio) | \(target) |")
    }
    return lines.joined(separator: "\n")
}

private func format(_ v: Double) -> String {
    if v >= 100 { return String(format: "%.0f", v) }
    if v >= 10 { return String(format: "%.1f", v) }
    return String(format: "%.2f", v)
}
