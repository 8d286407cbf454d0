import Foundation
import Manifest

/// The API's overrides in force, each bound to what it overrode so the files can overtake it.
///
/// A pause holds the content hash of the version that was paused: once the files bring a
/// different version, the person editing them has had the last word and the pause ends. A
/// post's cancel holds the occurrence it cancelled: the same post moved to a new time is a new
/// intent and is scheduled; edited in place (same `at`) it stays cancelled, because that
/// occurrence's targets are journaled `cancelled` and exactly-once is per occurrence.
struct Overrides: Sendable, Equatable {
    /// Paused job → content hash of the paused version.
    var paused: [String: String] = [:]
    /// Cancelled one-shot post → the occurrence (its `at`) that was cancelled.
    var cancelled: [String: Date] = [:]

    func contains(_ name: String) -> Bool { paused[name] != nil || cancelled[name] != nil }

    mutating func remove(_ name: String) {
        paused[name] = nil
        cancelled[name] = nil
    }

    /// The overrides the loaded definitions have overtaken, sorted by name.
    func overtaken(by jobs: [String: JobSpec]) -> (paused: [String], cancelled: [String]) {
        let paused = paused.filter { name, hash in jobs[name].map { $0.contentHash != hash } ?? false }.keys.sorted()
        let cancelled = cancelled.filter { name, date in
            guard let post = jobs[name] else { return false }
            if case .at(let at) = post.trigger { return at != date }
            return true
        }.keys.sorted()
        return (paused, cancelled)
    }
}
