import Foundation

extension TimeZone {
    /// UTC, the default zone of specs and schedules (stored once, so no force unwrap is needed).
    package static let utc: TimeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .gmt

    /// The zone for a name as specs and the journal spell it, or nil for an unknown name.
    ///
    /// Foundation on Linux reports UTC's identifier as "GMT", and the journal stores zones by
    /// `displayName` ("UTC"): asking for "GMT" gets back the same zone a loaded spec holds.
    package static func named(_ name: String) -> TimeZone? {
        TimeZone(identifier: name == "UTC" ? "GMT" : name)
    }

    /// The zone's name for people and for stored fields: Foundation on Linux calls UTC "GMT"; we
    /// say UTC, so hashes and status files match across platforms.
    package var displayName: String {
        ["GMT", "UTC", "Etc/UTC", "Etc/GMT"].contains(identifier) ? "UTC" : identifier
    }
}
