import Foundation

/// A pull request that landed on the scanned branch, recognised from the commit it produced.
package struct PullRequest: Sendable, Hashable {
    /// How the pull request was merged, which decides where its facts come from.
    package enum Merge: String, Sendable, Hashable {
        /// A merge commit "Merge pull request #N from owner/branch".
        case mergeCommit
        /// A single commit "title (#N)", as GitHub's squash and rebase buttons write.
        case squash
    }

    /// The pull request number.
    package let number: Int
    /// Its title: the merge commit's body line, or the squash subject without " (#N)".
    package let title: String
    /// The commit that landed it on the branch.
    package let commit: GitOID
    /// Who wrote it: for a merge commit the author of the merged head when that commit is in
    /// the scanned range (the merge's own author is whoever pressed the button), else the
    /// merge's author; for a squash the commit's author.
    package let author: String
    /// When it landed (the commit's committer time).
    package let time: Date
    /// `owner/branch` of a merge commit; nil for a squash.
    package let branch: String?
    /// How it was merged.
    package let merge: Merge

    /// Creates a value.
    package init(number: Int, title: String, commit: GitOID, author: String, time: Date, branch: String?, merge: Merge) {
        self.number = number
        self.title = title
        self.commit = commit
        self.author = author
        self.time = time
        self.branch = branch
        self.merge = merge
    }
}

/// Pure functions turning a scan's commits and tags into activity.
///
/// Kept apart from the actor so `kind: scan` logic is testable on hand-built values.
package enum Activity {
    /// Pull requests merged in `commits` (newest first in, newest first out), one per number.
    ///
    /// A number seen twice (a squash-titled commit inside a branch later merged with a merge
    /// commit) counts once, for the newest commit.
    package static func mergedPullRequests(in commits: [GitCommitInfo]) -> [PullRequest] {
        let byID = Dictionary(commits.map { ($0.oid, $0) }, uniquingKeysWith: { first, _ in first })
        var seen = Set<Int>()
        var result: [PullRequest] = []
        for commit in commits {
            guard let pullRequest = pullRequest(from: commit, lookup: byID), seen.insert(pullRequest.number).inserted
            else { continue }
            result.append(pullRequest)
        }
        return result
    }

    /// The pull request a single commit records, if any.
    static func pullRequest(from commit: GitCommitInfo, lookup: [GitOID: GitCommitInfo]) -> PullRequest? {
        if commit.isMerge {
            guard let (number, branch) = parseMergeSubject(commit.subject) else { return nil }
            let head = lookup[commit.parents[1]]
            let title = bodyLines(commit.message).first ?? branch
            return PullRequest(
                number: number, title: title, commit: commit.oid, author: (head ?? commit).author.name,
                time: commit.time, branch: branch, merge: .mergeCommit)
        }
        guard let (title, number) = parseSquashSubject(commit.subject) else { return nil }
        return PullRequest(
            number: number, title: title, commit: commit.oid, author: commit.author.name, time: commit.time,
            branch: nil, merge: .squash)
    }

    /// `Merge pull request #12 from owner/branch` → (12, "owner/branch").
    static func parseMergeSubject(_ subject: String) -> (Int, String)? {
        let prefix = "Merge pull request #"
        guard subject.hasPrefix(prefix) else { return nil }
        let rest = subject.dropFirst(prefix.count)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard let number = Int(digits), rest.dropFirst(digits.count).hasPrefix(" from ") else { return nil }
        let branch = rest.dropFirst(digits.count + " from ".count).split(separator: " ").first.map(String.init)
        guard let branch, !branch.isEmpty else { return nil }
        return (number, branch)
    }

    /// `Add retries (#34)` → ("Add retries", 34); the number must close the subject.
    static func parseSquashSubject(_ subject: String) -> (String, Int)? {
        guard subject.hasSuffix(")"), let open = subject.range(of: " (#", options: .backwards) else { return nil }
        let digits = subject[open.upperBound..<subject.index(before: subject.endIndex)]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(digits) else { return nil }
        let title = subject[..<open.lowerBound].trimmingCharacters(in: .whitespaces)
        return title.isEmpty ? nil : (title, number)
    }

    /// The non-empty lines after the subject.
    private static func bodyLines(_ message: String) -> [String] {
        message.split(separator: "\n", omittingEmptySubsequences: true).dropFirst()
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// Tags whose names are not in `known` (the names recorded at the last sync), by name.
    package static func newTags(_ tags: [GitTag], since known: Set<String>) -> [GitTag] {
        tags.filter { !known.contains($0.name) }.sorted { $0.name < $1.name }
    }

    /// Tags pointing at one of `commits` (the scanned range), by name.
    package static func tags(_ tags: [GitTag], on commits: [GitCommitInfo]) -> [GitTag] {
        let ids = Set(commits.map(\.oid))
        return tags.filter { ids.contains($0.target) }.sorted { $0.name < $1.name }
    }
}
