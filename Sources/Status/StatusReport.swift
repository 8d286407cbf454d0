import Foundation
import Journal
import Manifest

/// Every job's status, plus the problems that keep files from applying.
package struct StatusReport: Sendable, Hashable, Codable {
    package var generatedAt: Date
    package var jobs: [JobStatus]
    package var problems: [String]
    /// Whether a runner holds the state directory; nil where nobody asked (status files, which
    /// only a running runner writes).
    package var runnerUp: Bool? = nil
    /// With no runner up: when one was last heard of (its last journaled run or its stop).
    package var runnerLastSeen: Date? = nil
    /// With a shared journal (`--database`): every runner the cluster knows, newest first.
    package var runners: [ClusterRunner]? = nil

    /// Says whether a runner is up. With none up, attempts the journal shows running were left
    /// by a runner that died: they are shown as `runningUnknown`, not as running.
    package mutating func setRunner(up: Bool, state: JournalState) {
        runnerUp = up
        guard !up else { return }
        var seen = [state.runnerStartedAt, state.runnerStoppedAt].compactMap { $0 }
        for job in state.jobs.values {
            seen += job.running.map(\.startedAt)
            if let last = job.history.last { seen.append(last.finishedAt ?? last.startedAt) }
        }
        runnerLastSeen = seen.max()
        for index in jobs.indices where jobs[index].running > 0 {
            jobs[index].runningUnknown = jobs[index].running
            jobs[index].running = 0
        }
    }

    /// Joins the loaded specs (if the tree could be read) with the journal's state. Jobs known
    /// only to the journal (removed, or in a file that no longer validates) are listed too.
    package static func make(manifest: Manifest?, state: JournalState, now: Date) -> StatusReport {
        var specs: [String: JobSpec] = [:]
        for job in manifest?.jobs ?? [] { specs[job.name] = job }
        var names = Set(specs.keys)
        for (name, job) in state.jobs where job.applied != nil && !job.removed { names.insert(name) }
        let invalid = manifest?.invalidFiles ?? []
        let graph = AfterGraph(edges: names.lazy.map { (job: $0, after: specs[$0]?.after ?? JobStatus.appliedAfter(state.jobs[$0])) })
        let jobs = names.sorted().map { name -> JobStatus in
            let spec = specs[name]
            var problem: String?
            if let spec, invalid.contains(spec.location.file) {
                problem = "\(spec.location.file) has errors; last good version in force"
            } else if spec == nil, manifest != nil {
                problem = "not in the files any more"
            }
            return JobStatus.make(name: name, spec: spec, state: state.jobs[name], now: now, problem: problem,
                                  dependents: graph.dependents(of: name))
        }
        let problems = manifest.map { $0.diagnostics.map(\.description) } ?? state.diagnostics
        return StatusReport(generatedAt: now, jobs: jobs, problems: problems)
    }
}

