import Foundation

/// A tag: its short name, the commit it points at, and (for annotated tags) when it was made.
package struct GitTag: Sendable, Hashable {
    /// The name without `refs/tags/`, e.g. `v1.2.0`.
    package let name: String
    /// The commit (or other object) the tag finally points at, annotated tags peeled.
    package let target: GitOID
    /// The tagger time of an annotated tag; nil for a lightweight tag, which has none.
    package let time: Date?

    /// Creates a value.
    package init(name: String, target: GitOID, time: Date?) {
        self.name = name
        self.target = target
        self.time = time
    }
}
