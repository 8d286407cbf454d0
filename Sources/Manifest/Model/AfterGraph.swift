/// The `after:` edges between jobs, in both directions, and the jobs caught in a cycle.
///
/// One pure type answers every question about the edges: the loader rejects cycles with it,
/// the runner asks "which jobs run after this one" when an occurrence ends, and `status`, the
/// API and the dashboard show both directions. An edge `a → b` means `a` lists `b` in `after:`.
public struct AfterGraph: Sendable, Hashable {
    /// Job → the jobs it runs after, in the order written.
    private var upstreams: [String: [String]] = [:]
    /// Job → the jobs that run after it, sorted by name.
    private var downstreams: [String: [String]] = [:]
    /// The names of every job on some cycle (none once the loader has rejected them; the
    /// runner's mix of new and last-good versions could still close one, and skips those).
    public private(set) var cyclicJobs: Set<String> = []

    /// Builds the graph from `(job, after:)` pairs; jobs without `after:` may be left out.
    public init(edges: some Sequence<(job: String, after: [String])>) {
        for (job, after) in edges where !after.isEmpty {
            upstreams[job] = after
            for upstream in Set(after) { downstreams[upstream, default: []].append(job) }
        }
        for key in downstreams.keys { downstreams[key]?.sort() }
        cyclicJobs = Set(stronglyConnectedComponents().joined())
    }

    /// The graph of the loaded specs.
    public init(jobs: some Sequence<JobSpec>) {
        self.init(edges: jobs.lazy.filter { !$0.after.isEmpty }.map { (job: $0.name, after: $0.after) })
    }

    /// The jobs `job` runs after (its `after:` list).
    public func upstreams(of job: String) -> [String] { upstreams[job] ?? [] }

    /// The jobs that list `job` in their `after:`, sorted: the reverse edges.
    public func dependents(of job: String) -> [String] { downstreams[job] ?? [] }

    /// Every job on a cycle, each with one shortest cycle through it as a path that starts and
    /// ends at that job (`["a", "b", "a"]`), sorted by job. A self-reference is `["a", "a"]`.
    public func cycles() -> [(job: String, path: [String])] {
        var found: [(job: String, path: [String])] = []
        for component in stronglyConnectedComponents() {
            let members = Set(component)
            for job in component.sorted() {
                if let path = shortestCycle(through: job, within: members) { found.append((job, path)) }
            }
        }
        return found.sorted { $0.job < $1.job }
    }

    /// A breadth-first search along `after:` edges from `job` back to itself, inside its component.
    private func shortestCycle(through job: String, within members: Set<String>) -> [String]? {
        var previous: [String: String] = [:]
        var frontier = [job]
        while !frontier.isEmpty {
            var next: [String] = []
            for node in frontier {
                for upstream in upstreams(of: node) where members.contains(upstream) {
                    if upstream == job {
                        // Back from `node` to the first step, whose predecessor is `job`.
                        var back: [String] = []
                        var cursor = node
                        while cursor != job, let before = previous[cursor] {
                            back.append(cursor)
                            cursor = before
                        }
                        return [job] + Array(back.reversed()) + [job]
                    }
                    guard previous[upstream] == nil, upstream != job else { continue }
                    previous[upstream] = node
                    next.append(upstream)
                }
            }
            frontier = next
        }
        return nil
    }

    /// Tarjan's algorithm, iterative (a long chain of `after:` must not overflow the stack);
    /// returns only the components that hold a cycle (two or more jobs, or one naming itself).
    private func stronglyConnectedComponents() -> [[String]] {
        var index: [String: Int] = [:]
        var lowLink: [String: Int] = [:]
        var onStack: Set<String> = []
        var stack: [String] = []
        var components: [[String]] = []
        var counter = 0
        for root in upstreams.keys.sorted() where index[root] == nil {
            // Each frame: a node and how many of its edges were already followed.
            var frames: [(node: String, edge: Int)] = [(root, 0)]
            index[root] = counter
            lowLink[root] = counter
            counter += 1
            stack.append(root)
            onStack.insert(root)
            while let frame = frames.last {
                let edges = upstreams(of: frame.node)
                if frame.edge < edges.count {
                    frames[frames.count - 1].edge += 1
                    let next = edges[frame.edge]
                    if index[next] == nil {
                        index[next] = counter
                        lowLink[next] = counter
                        counter += 1
                        stack.append(next)
                        onStack.insert(next)
                        frames.append((next, 0))
                    } else if onStack.contains(next) {
                        lowLink[frame.node] = min(lowLink[frame.node] ?? 0, index[next] ?? 0)
                    }
                    continue
                }
                frames.removeLast()
                if let parent = frames.last {
                    lowLink[parent.node] = min(lowLink[parent.node] ?? 0, lowLink[frame.node] ?? 0)
                }
                guard lowLink[frame.node] == index[frame.node] else { continue }
                var component: [String] = []
                while let member = stack.popLast() {
                    onStack.remove(member)
                    component.append(member)
                    if member == frame.node { break }
                }
                if component.count > 1 || upstreams(of: frame.node).contains(frame.node) { components.append(component) }
            }
        }
        return components
    }
}
