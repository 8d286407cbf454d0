import Foundation
import Manifest
import Scheduler
import Processes

/// One `notify:` entry: which events, and where they go.
///
/// Two destinations, like publish targets: a webhook that gets the payload as a JSON POST,
/// or a command that gets it on stdin (e.g. a script around `sendmail`).
package struct NotificationTarget: Sendable, Hashable {
    /// The events this target wants.
    package var on: Set<NotificationEvent>
    /// Where the payload goes.
    package var destination: Destination

    /// Where a notification is delivered.
    package enum Destination: Sendable, Hashable {
        /// POST the payload as JSON; header values never appear in delivery reports.
        case webhook(url: URL, headers: [String: String] = [:])
        /// Run a command with the payload on stdin; `secrets` are masked out of its output.
        case command(ProcessCommand, workdir: String = ".", environment: [String: String], secrets: SecretMask = .none)
    }

    /// A target; without `on:` it hears about failures and missed occurrences.
    package init(on: Set<NotificationEvent> = [.failure, .missed], destination: Destination) {
        self.on = on
        self.destination = destination
    }

    /// Safe to journal: `webhook hooks.example` (no path, no token) or `run sendmail`.
    package var summary: String {
        switch destination {
        case .webhook(let url, _): "webhook \(HTTPSender.location(url))"
        case .command(.argv(let argv), _, _, _): "run \(argv.first ?? "")"
        case .command(.shell, _, _, _): "run sh"
        }
    }
}
