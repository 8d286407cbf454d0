import Foundation
@testable import GitSync
import Testing

private func oid(_ n: Int) -> GitOID {
    GitOID(hex: String(repeating: "0", count: 40 - String(n, radix: 16).count) + String(n, radix: 16))!
}

private func info(_ n: Int, _ message: String, parents: [Int] = [], author: String = "Ada") -> GitCommitInfo {
    GitCommitInfo(oid: oid(n), parents: parents.map(oid), author: signature(n, name: author),
                  committer: signature(n, name: "GitHub"), message: message)
}

@Suite("activity")
struct ActivityTests {
    @Test("merge commits and squash merges become pull requests, newest first")
    func pullRequests() {
        let commits = [
            info(9, "Fix typo in README"),
            info(8, "Add retries to webhooks (#41)\n\n* retry\n* backoff", parents: [7], author: "Grace"),
            info(7, "Merge pull request #40 from octo/feature-x\n\nFeature X: cron H support", parents: [5, 6], author: "Merger"),
            info(6, "wip on H (#40)", parents: [4], author: "Linus"),
            info(5, "Merge branch 'main' into dev", parents: [3, 2]),
            info(4, "Merge pull request #39 from octo/no-body", parents: [3, 1], author: "Merger"),
        ]
        let prs = Activity.mergedPullRequests(in: commits)
        #expect(prs == [
            PullRequest(number: 41, title: "Add retries to webhooks", commit: oid(8), author: "Grace",
                        time: signature(8).time, branch: nil, merge: .squash),
            PullRequest(number: 40, title: "Feature X: cron H support", commit: oid(7), author: "Linus",
                        time: signature(7).time, branch: "octo/feature-x", merge: .mergeCommit),
            PullRequest(number: 39, title: "octo/no-body", commit: oid(4), author: "Merger",
                        time: signature(4).time, branch: "octo/no-body", merge: .mergeCommit),
        ])
    }

    @Test("subjects that only look like pull requests are not", arguments: [
        "Bump version (#)", "Mention issue (#12) in text", "(#5)", "Fix (#12a)", "Merge pull request #x from a/b",
        "Merge pull request #12", "Merge pull request #12 from ",
    ])
    func notPullRequests(subject: String) {
        let isMerge = subject.hasPrefix("Merge")
        #expect(Activity.mergedPullRequests(in: [info(1, subject, parents: isMerge ? [2, 3] : [2])]).isEmpty)
    }

    @Test("squash subjects parse to title and number", arguments: [
        ("Add retries (#34)", "Add retries", 34), ("Use (parens) in title (#7)", "Use (parens) in title", 7),
    ])
    func squashSubjects(subject: String, title: String, number: Int) throws {
        let parsed = try #require(Activity.parseSquashSubject(subject))
        #expect(parsed.0 == title && parsed.1 == number)
    }

    @Test("new tags are those not known before, or those on the scanned commits")
    func newTags() {
        let tags = [GitTag(name: "v2", target: oid(8), time: nil), GitTag(name: "v1", target: oid(1), time: nil)]
        #expect(Activity.newTags(tags, since: ["v1"]).map(\.name) == ["v2"])
        #expect(Activity.tags(tags, on: [info(8, "x"), info(9, "y")]).map(\.name) == ["v2"])
    }

    @Test("a remote's refusal status becomes an error; non-fast-forward ones say so", arguments: [
        ("non-fast-forward", GitError.Kind.nonFastForward), ("fetch first", .nonFastForward),
        ("pre-receive hook declined", .other),
    ])
    func pushStatus(status: String, kind: GitError.Kind) throws {
        let callbacks = RemoteCallbacks(.none)
        #expect(callbacks.pushRejection() == nil)
        callbacks.rejections.append(("refs/heads/s", status))
        let error = try #require(callbacks.pushRejection())
        #expect(error.kind == kind)
        #expect(error.message == "remote rejected refs/heads/s: \(status)")
    }
}
