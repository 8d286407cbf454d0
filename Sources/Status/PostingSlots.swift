import AlmanacCore
import Foundation
import Journal

/// When to post on a channel: weekday × hour slots ranked by the median of one engagement
/// metric over the posts published in each slot.
///
/// A sample is one published (occurrence, target) of a post on the channel that has the
/// metric; its slot is the occurrence's *scheduled* time read in `zone` (what a person can
/// schedule; the publish itself may be seconds later). Slots with fewer than
/// `minimumSamples` samples are listed apart, unranked: a median of two posts says little.
/// Pure: the journal's entries and the zone in, the ranking out (docs/posting-times.md).
package struct PostingSlots: Sendable, Hashable {
    /// One weekday × hour cell.
    package struct Slot: Sendable, Hashable {
        /// 0 = Sunday … 6 = Saturday.
        package var weekday: Int
        /// 0 … 23, in the ranking's zone.
        package var hour: Int
        package var samples: Int
        /// The median of the metric; also given for sparse slots, which are not ranked by it.
        package var median: Double

        package init(weekday: Int, hour: Int, samples: Int, median: Double) {
            (self.weekday, self.hour, self.samples, self.median) = (weekday, hour, samples, median)
        }

        /// `Tue 09:00`.
        package var label: String { "\(PostingSlots.weekdayNames[weekday]) \(hour < 10 ? "0" : "")\(hour):00" }
    }

    /// Slots with fewer samples than this are "not enough data".
    package static let minimumSamples = 5
    /// Metrics tried, in order, when none is named and the channel has several.
    package static let preferredMetrics = ["likes", "score", "upvotes", "reactions", "views"]
    package static let weekdayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    package var channel: String
    package var metric: String
    /// The zone's identifier (`UTC`, `Europe/London`).
    package var zone: String
    /// Slots with at least `minimumSamples` samples, best median first.
    package var ranked: [Slot]
    /// Slots with fewer samples, most samples first.
    package var sparse: [Slot]
    /// Every metric recorded on the channel, sorted.
    package var metrics: [String]

    /// Samples counted over all slots.
    package var samples: Int { (ranked + sparse).reduce(0) { $0 + $1.samples } }

    /// Ranks `channel`'s slots from `entries` (every post's engagement).
    ///
    /// `metric` nil picks the channel's only metric, else the first of `preferredMetrics`
    /// it has; `zone` nil picks the zone most of the channel's posts are scheduled in (UTC on
    /// a tie or when none says).
    package static func rank(_ entries: [PostEngagement], channel: String, metric: String?,
                             zone: TimeZone?) throws(SuggestionError) -> PostingSlots {
        let onChannel = entries.filter { $0.channel == channel }
        let metrics = Set(onChannel.flatMap(\.metrics.keys)).sorted()
        guard !metrics.isEmpty else {
            throw SuggestionError("no engagement recorded for channel '\(channel)' (record some with `almanac posts metrics`)",
                                  noData: true)
        }
        let chosen: String
        if let metric {
            guard metrics.contains(metric) else {
                throw SuggestionError("no '\(metric)' recorded on channel '\(channel)'; available: \(metrics.joined(separator: ", "))")
            }
            chosen = metric
        } else if metrics.count == 1 {
            chosen = metrics[0]
        } else if let preferred = preferredMetrics.first(where: metrics.contains) {
            chosen = preferred
        } else {
            throw SuggestionError("channel '\(channel)' has several metrics; name one with --metric: \(metrics.joined(separator: ", "))")
        }
        let zone = zone ?? commonZone(onChannel)
        var values: [Int: [Double]] = [:]
        for entry in onChannel {
            guard let value = entry.metrics[chosen] else { continue }
            let (weekday, hour) = slot(of: entry.scheduledAt, in: zone)
            values[weekday * 24 + hour, default: []].append(value)
        }
        let slots = values.map { key, values in
            Slot(weekday: key / 24, hour: key % 24, samples: values.count, median: median(values))
        }
        let order: (Slot, Slot) -> Bool = { a, b in
            (a.weekday, a.hour) < (b.weekday, b.hour)
        }
        let ranked = slots.filter { $0.samples >= minimumSamples }.sorted { a, b in
            a.median != b.median ? a.median > b.median : a.samples != b.samples ? a.samples > b.samples : order(a, b)
        }
        let sparse = slots.filter { $0.samples < minimumSamples }.sorted { a, b in
            a.samples != b.samples ? a.samples > b.samples : order(a, b)
        }
        return PostingSlots(channel: channel, metric: chosen, zone: zone.displayName, ranked: ranked, sparse: sparse, metrics: metrics)
    }

    /// The weekday (0 = Sunday) and hour of `date` in `zone`.
    package static func slot(of date: Date, in zone: TimeZone) -> (weekday: Int, hour: Int) {
        let local = Int64(date.timeIntervalSince1970.rounded(.down)) + Int64(zone.secondsFromGMT(for: date))
        let days = Civil.floorDiv(local, Civil.secondsPerDay)
        return (Civil.weekday(days: days), Int((local - days * Civil.secondsPerDay) / 3600))
    }

    /// The middle value; the mean of the two middle ones for an even count.
    package static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The zone most entries name; UTC on a tie or when none names one.
    static func commonZone(_ entries: [PostEngagement]) -> TimeZone {
        var counts: [String: Int] = [:]
        for entry in entries { if let zone = entry.timezone { counts[zone, default: 0] += 1 } }
        let top = counts.values.max() ?? 0
        let leaders = counts.filter { $0.value == top }.keys
        guard leaders.count == 1, let name = leaders.first, let zone = TimeZone.named(name) else { return .utc }
        return zone
    }

    /// The best `count` ranked slots.
    package func best(_ count: Int = 3) -> [Slot] { Array(ranked.prefix(count)) }

    /// Whether `date` falls in one of the best `count` slots.
    package func isAmongBest(_ date: Date, count: Int = 3) -> Bool {
        guard let zone = TimeZone.named(zone) else { return true }
        let (weekday, hour) = Self.slot(of: date, in: zone)
        return best(count).contains { $0.weekday == weekday && $0.hour == hour }
    }
}

/// Why no ranking can be given (no data for the channel, an unknown metric); the Status
/// module's one error type.
package struct SuggestionError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String
    /// Nothing is recorded for the channel (the API answers 404), rather than a bad metric.
    package var noData: Bool
    package init(_ message: String, noData: Bool = false) { (self.message, self.noData) = (message, noData) }
    package var description: String { message }
}
