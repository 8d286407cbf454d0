import Foundation
import Manifest

/// 2026-11-23T12:00:00Z — the fixed "now" of these tests.
let testNow = Date(timeIntervalSince1970: 1_795_435_200)

/// Loads the given files (path → text) with a fixed now.
func load(_ files: [String: String], environment: [String: String] = [:], now: Date = testNow) -> Manifest {
    ManifestLoader.load(files: files.map { SourceFile(path: $0.key, text: $0.value) }, environment: environment, now: now)
}

/// The diagnostics as `validate` prints them.
func lines(_ manifest: Manifest) -> [String] { manifest.diagnostics.map(\.description) }

/// A minimal valid job document with extra lines appended.
func job(_ name: String = "a", _ extra: String = "") -> String {
    "name: \(name)\nschedule: \"0 3 * * *\"\nrun: [\"true\"]\n" + extra
}
