/// One problem found in the manifest, positioned at the offending text.
///
/// This is the Manifest module's only error type; `description` is the line `almanac validate`
/// prints: `jobs.d/backup.yaml:4:11: error: schedule: minute field: 61 is out of range 0-59`.
public struct Diagnostic: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// How bad a problem is: errors invalidate the spec and its file, warnings only inform,
    /// notes suggest (`validate`'s posting-time hints, never from the loader).
    public enum Severity: String, Sendable, Hashable, Codable {
        case error, warning, note
    }

    public var location: SourceLocation
    public var message: String
    public var severity: Severity

    public init(location: SourceLocation, message: String, severity: Severity = .error) {
        self.location = location
        self.message = message
        self.severity = severity
    }

    public var description: String {
        let place = location.description
        return place.isEmpty ? "\(severity.rawValue): \(message)" : "\(place): \(severity.rawValue): \(message)"
    }
}
