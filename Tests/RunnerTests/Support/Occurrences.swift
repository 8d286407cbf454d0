import Foundation

/// The instants every `step` seconds from the first to the last of `handled` that are not in it:
/// the occurrences of a per-second (or per-`step`) job that were lost (nil when nothing was
/// handled at all).
func unhandledSeconds(_ handled: Set<Date>, step: TimeInterval = 1) -> [Date]? {
    guard let first = handled.min(), let last = handled.max() else { return nil }
    var missing: [Date] = []
    var second = first
    while second <= last {
        if !handled.contains(second) { missing.append(second) }
        second = second.addingTimeInterval(step)
    }
    return missing
}
