import Foundation
import GitSync
import Journal
import Manifest
import Reconciler
import Scheduler
import Processes
import Publishing

/// Plans and validation between git revisions, without a checkout: for pull requests and CI.
///
/// The base revision's jobs stand in for the journal (each as if just `applied` at that commit),
/// so `plan(base:head:)` shows exactly what merging would change once a runner picks it up.
package enum RevisionPlan {
    /// The job files under `path` at `revision`, loaded (paths relative to `path`). CI has no
    /// production secrets, so validate and plan pass `unsetVariables: .warning`.
    package static func manifest(in repository: GitRepository, revision: String, path: String,
                                environment: [String: String], now: Date,
                                unsetVariables: UnsetVariables = .error) async throws -> (Manifest, GitOID) {
        let commit = try await repository.resolve(revision)
        let files = try await repository.files(at: commit, under: path)
        let sources = files.map { SourceFile(path: $0.key, bytes: $0.value) }.sorted { $0.path < $1.path }
        return (ManifestLoader.load(files: sources, environment: environment, now: now, unsetVariables: unsetVariables), commit)
    }

    /// A journal state in which every job of `manifest` is applied at `revision`, at `now`.
    package static func state(applying manifest: Manifest, revision: GitOID, at now: Date) -> JournalState {
        var state = JournalState()
        var seq: UInt64 = 0
        for job in manifest.jobs {
            seq += 1
            state.apply(JournalEvent(seq: seq, at: now, .applied(.init(
                job: job.name, hash: job.contentHash, revision: revision.hex, kind: job.kind.rawValue, enabled: job.enabled,
                source: job.location.description, fields: job.fields))))
        }
        return state
    }

    /// What merging `head` onto `base` would change; diagnostics are the head's.
    package static func plan(in repository: GitRepository, base: String, head: String, path: String,
                            environment: [String: String], now: Date,
                            unsetVariables: UnsetVariables = .error) async throws -> Plan {
        let (baseManifest, baseCommit) = try await manifest(in: repository, revision: base, path: path,
                                                            environment: environment, now: now, unsetVariables: unsetVariables)
        let (headManifest, _) = try await manifest(in: repository, revision: head, path: path,
                                                   environment: environment, now: now, unsetVariables: unsetVariables)
        var plan = Reconciler.plan(desired: headManifest, state: state(applying: baseManifest, revision: baseCommit, at: now), now: now)
        for index in plan.changes.indices where plan.changes[index].action == .add {
            let file = headManifest.job(named: plan.changes[index].name)?.location.file
            plan.changes[index].fixesInvalidBase = file.map(baseManifest.invalidFiles.contains) ?? false
        }
        return plan
    }
}
