/// A cron expression or `every:` shorthand that cannot be compiled.
///
/// Carries the field at fault so an editor or `almanac validate` can point at it, and a message
/// that says why in plain words (`minute field: 61 is out of range 0-59`).
public struct CronError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field at fault (`minute`, `day-of-month`, …), or nil when the expression as a whole is wrong.
    public var field: String?
    /// Why, in words.
    public var message: String

    /// Creates an error about `field` (or the whole expression when nil).
    public init(field: String? = nil, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String {
        guard let field else { return message }
        return "\(field) field: \(message)"
    }
}
