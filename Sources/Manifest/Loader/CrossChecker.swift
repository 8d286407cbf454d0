import AlmanacCore
import Foundation

/// Rules that span specs: unique names, `after:` targets and cycles, and post spacing / per-day limits.
struct CrossChecker {
    let specs: [BuiltSpec]
    private(set) var diagnostics: [Diagnostic] = []
    private var rejected: Set<Int> = []

    init(specs: [BuiltSpec]) {
        self.specs = specs
    }

    /// Valid specs sorted by name (indices are sorted, not the large structs).
    var validSpecs: [JobSpec] {
        let order = specs.indices.filter { !rejected.contains($0) && specs[$0].spec != nil }
            .sorted { (specs[$0].name ?? "") < (specs[$1].name ?? "") }
        return order.compactMap { specs[$0].spec }
    }

    mutating func run() {
        checkDuplicateNames()
        checkAfter()
        checkPostSpacing()
    }

    private mutating func reject(_ index: Int, _ message: String, at mark: Mark?) {
        let spec = specs[index]
        let file = spec.file
        let mark = mark ?? spec.nameMark
        diagnostics.append(Diagnostic(location: SourceLocation(file: file, line: mark.line, column: mark.column), message: message))
        rejected.insert(index)
    }

    private mutating func checkDuplicateNames() {
        var byName: [String: [Int]] = [:]
        for (index, spec) in specs.enumerated() {
            if let name = spec.name { byName[name, default: []].append(index) }
        }
        for (name, indices) in byName where indices.count > 1 {
            for index in indices {
                let others = indices.filter { $0 != index }.map { location(of: $0).description }
                reject(index, "name: `\(name)` is also defined at \(others.joined(separator: ", "))", at: nil)
            }
        }
    }

    private mutating func checkAfter() {
        let declared = Set(specs.compactMap(\.name))
        for (index, built) in specs.enumerated() {
            guard let spec = built.spec else { continue }
            for name in spec.after where !declared.contains(name) {
                let hint = Suggestion.hint(for: name, among: Array(declared))
                reject(index, "after: no job named `\(name)`\(hint)", at: built.afterMark)
            }
        }
        checkAfterCycles()
    }

    /// Every job on an `after:` cycle is rejected at its own `after:`, naming one cycle through
    /// it: a cycle would make each success start the next job around it, forever.
    private mutating func checkAfterCycles() {
        var indexByName: [String: Int] = [:]
        for (index, built) in specs.enumerated() where built.spec != nil && !rejected.contains(index) {
            if let name = built.name { indexByName[name] = index }
        }
        let graph = AfterGraph(edges: indexByName.compactMap { name, index in
            specs[index].spec.map { (job: name, after: $0.after) }
        })
        for cycle in graph.cycles() {
            guard let index = indexByName[cycle.job] else { continue }
            reject(index, "after: cycle " + cycle.path.joined(separator: " → "), at: specs[index].afterMark)
        }
    }

    /// `minSpacing` and `maxPostsPerDay` per `content.channel`, over posts with `at:`.
    private mutating func checkPostSpacing() {
        var byChannel: [String: [(index: Int, date: Date)]] = [:]
        for (index, built) in specs.enumerated() {
            guard let spec = built.spec, spec.kind == .post, !spec.cancelled, case .at(let date) = spec.trigger,
                  let channel = spec.channel, !rejected.contains(index) else { continue }
            byChannel[channel, default: []].append((index, date))
        }
        for channel in byChannel.keys.sorted() {
            let posts = (byChannel[channel] ?? []).sorted { ($0.date, $0.index) < ($1.date, $1.index) }
            var perDay: [Int64: Int] = [:]
            for (position, post) in posts.enumerated() {
                let policy = specs[post.index].policy
                let day = Int64((post.date.timeIntervalSince1970 / 86_400).rounded(.down))
                perDay[day, default: 0] += 1
                if let limit = policy.maxPostsPerDay, perDay[day, default: 0] > limit.value {
                    let date = String(RFC3339.format(post.date, precision: .seconds).prefix(10))
                    reject(post.index, "at: more than \(limit.value) posts to channel `\(channel)` on \(date) (UTC): "
                           + "exceeds maxPostsPerDay \(limit.value) set at \(limit.location)", at: specs[post.index].atMark)
                }
                guard position > 0 else { continue }
                let previous = posts[position - 1]
                let spacing = policy.minSpacing ?? specs[previous.index].policy.minSpacing
                let gap = post.date.timeIntervalSince(previous.date)
                if let spacing, gap < seconds(spacing.value) {
                    let gapText = formatDuration(.milliseconds(Int64(gap * 1000)))
                    reject(post.index, "at: \(gapText) after post `\(specs[previous.index].name ?? "")` "
                           + "(\(location(of: previous.index, atMark: true))) on channel `\(channel)`: "
                           + "below minSpacing \(formatDuration(spacing.value)) set at \(spacing.location)",
                           at: specs[post.index].atMark)
                }
            }
        }
    }

    private func location(of index: Int, atMark: Bool = false) -> SourceLocation {
        let spec = specs[index]
        let mark = atMark ? (spec.atMark ?? spec.nameMark) : spec.nameMark
        return SourceLocation(file: spec.file, line: mark.line, column: mark.column)
    }
}
