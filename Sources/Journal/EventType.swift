/// The kind of a journal event; the raw value is what the `type` key holds on disk.
///
/// New cases may be added; existing raw values never change, because old journals must keep
/// replaying. A line with a type this build does not know is reported as corrupt.
package enum EventType: String, Sendable, Codable, CaseIterable {
    case applied, removed, diagnostics, scheduled, queued, started, finished, retry, skipped, cancelled
    case interrupted, triggered, processing, published, synced, paused, resumed, notified
    case runnerStarted = "runner-started"
    case runnerStopped = "runner-stopped"
    case engagement
    case snapshot
}
