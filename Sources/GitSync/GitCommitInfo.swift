import CGit2
import Foundation

/// What a commit says about itself: ids, people, message, time.
///
/// A plain value read out of libgit2 at once, so it crosses actor boundaries freely and the
/// activity helpers can stay pure functions over lists of it.
package struct GitCommitInfo: Sendable, Hashable {
    /// The commit's id.
    package let oid: GitOID
    /// Parent ids in order; a merge commit has two or more, a root commit none.
    package let parents: [GitOID]
    /// Who wrote the change.
    package let author: GitSignature
    /// Who recorded the commit (differs from the author for squash merges and rebases).
    package let committer: GitSignature
    /// The full message, as recorded.
    package let message: String

    /// Creates a value (tests and fixtures build these by hand).
    package init(oid: GitOID, parents: [GitOID], author: GitSignature, committer: GitSignature, message: String) {
        self.oid = oid
        self.parents = parents
        self.author = author
        self.committer = committer
        self.message = message
    }

    /// The first line of the message, trimmed.
    package var subject: String {
        let first = message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return first.trimmingCharacters(in: .whitespaces)
    }

    /// The committer time, which is what history order is about.
    package var time: Date { committer.time }

    /// Whether this is a merge commit (more than one parent).
    package var isMerge: Bool { parents.count > 1 }

    init(commit: GitCommitHandle) {
        let pointer = commit.pointer
        oid = GitOID(git_commit_id(pointer))
        parents = (0..<git_commit_parentcount(pointer)).compactMap { index in
            git_commit_parent_id(pointer, index).map { GitOID($0) }
        }
        let empty = GitSignature(name: "", email: "", time: Date(timeIntervalSince1970: 0))
        author = git_commit_author(pointer).map { GitSignature($0) } ?? empty
        committer = git_commit_committer(pointer).map { GitSignature($0) } ?? empty
        message = git_commit_message(pointer).map { String(cString: $0) } ?? ""
    }
}
