import AlmanacCore
import Foundation
import Journal
import Manifest

/// `validate`'s notes on posts scheduled away from their channel's best slots.
///
/// Only for a one-shot post still ahead (`at:` after `now`) on a channel with at least one
/// ranked slot (enough data): a note, never an error, since the ranking is a hint
/// (docs/posting-times.md). The ranking is the default one (`posts suggest --channel C`).
package enum PostingAdvice {
    /// How many of the best slots count as "among the best".
    package static let best = 3

    package static func notes(for manifest: Manifest, engagement: [PostEngagement], now: Date) -> [Diagnostic] {
        var rankings: [String: PostingSlots?] = [:]
        var notes: [Diagnostic] = []
        for post in manifest.jobs where post.kind == .post {
            guard case .at(let date) = post.trigger, date > now, let channel = post.channel else { continue }
            if rankings[channel] == nil {
                rankings[channel] = .some(try? PostingSlots.rank(engagement, channel: channel, metric: nil, zone: nil))
            }
            guard let slots = rankings[channel] ?? nil, !slots.ranked.isEmpty, !slots.isAmongBest(date, count: best),
                  let zone = TimeZone.named(slots.zone) else { continue }
            let slot = PostingSlots.slot(of: date, in: zone)
            let label = PostingSlots.Slot(weekday: slot.weekday, hour: slot.hour, samples: 0, median: 0).label
            let top = slots.best(best).map { "\($0.label) (\(PostingSlots.number($0.median)), n=\($0.samples))" }
            notes.append(Diagnostic(location: post.location, message: "post \(post.name) is scheduled \(label) \(slots.zone), "
                                    + "not among channel `\(channel)`'s best slots by median \(slots.metric): "
                                    + top.joined(separator: ", ") + " (almanac posts suggest --channel \(channel))",
                                    severity: .note))
        }
        return notes
    }
}
