import AlmanacCore
import CronSchedule
import Foundation
import GitSync
import Scheduler
import Processes
import Publishing

/// What a scan found since its last sync point: commits, merged pull requests, tags.
///
/// Encoded as the JSON document a scan's `run:` reads on stdin and from `$ALMANAC_ACTIVITY`:
/// sorted keys, RFC 3339 UTC times, newest first, so the same range always gives the same bytes.
package struct ScanActivity: Sendable, Hashable {
    package var job: String
    package var repo: String
    package var branch: String
    /// The last synced commit (exclusive), nil on a first run.
    package var from: GitOID?
    /// The scanned tip (inclusive): the new sync point.
    package var to: GitOID
    /// On a first run, the start of the `since:` window.
    package var since: Date?
    package var commits: [GitCommitInfo]
    package var pullRequests: [PullRequest]
    package var tags: [GitTag]

    package init(job: String, repo: String, branch: String, from: GitOID?, to: GitOID, since: Date?,
                commits: [GitCommitInfo], tags: [GitTag]) {
        self.job = job
        self.repo = repo
        self.branch = branch
        self.from = from
        self.to = to
        self.since = since
        self.commits = commits
        self.pullRequests = Activity.mergedPullRequests(in: commits)
        self.tags = Activity.tags(tags, on: commits)
    }

    /// No new commit (pull requests and tags are found on commits, so none of those either).
    package var isEmpty: Bool { commits.isEmpty }

    /// The JSON document, newline-terminated.
    package func json() -> [UInt8] {
        let document = Document(
            job: job, repo: repo, branch: branch, from: from?.hex, to: to.hex, since: since.map { RFC3339.format($0) },
            commits: commits.map {
                .init(id: $0.oid.hex, author: $0.author.name, email: $0.author.email, time: RFC3339.format($0.time),
                      subject: $0.subject, merge: $0.isMerge)
            },
            pullRequests: pullRequests.map {
                .init(number: $0.number, title: $0.title, author: $0.author, commit: $0.commit.hex,
                      time: RFC3339.format($0.time), merge: $0.merge.rawValue, branch: $0.branch)
            },
            tags: tags.map { .init(name: $0.name, commit: $0.target.hex, time: $0.time.map { RFC3339.format($0) }) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(document)) ?? Data("{}".utf8)
        return [UInt8](data) + [10]
    }

    struct Document: Encodable {
        struct Commit: Encodable {
            var id, author, email, time, subject: String
            var merge: Bool
        }

        struct Pull: Encodable {
            var number: Int
            var title, author, commit, time, merge: String
            var branch: String?
        }

        struct Tag: Encodable {
            var name, commit: String
            var time: String?
        }

        var job, repo, branch: String
        var from: String?
        var to: String
        var since: String?
        var commits: [Commit]
        var pullRequests: [Pull]
        var tags: [Tag]
    }
}
