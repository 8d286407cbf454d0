import Foundation
import FuzzSupport
import Manifest

// The manifest loader on whole files: any bytes as a job file and as the root almanac.yaml.
// Properties: the load ends (aliases, merge keys, depth and size are bounded); a file either
// loads or says why, and everything it reports — each diagnostic, each spec — is placed in the
// file: the file's path, a line that exists (libyaml's line breaks: LF, CR, CRLF, NEL, LS, PS),
// a column within that line or just past its end; a file with an error is listed invalid.

/// The length in scalars of each line of `bytes`, as libyaml breaks them (UTF-16 when a BOM says so).
func lineLengths(_ bytes: [UInt8]) -> [Int] {
    let text: String
    if bytes.starts(with: [0xFF, 0xFE]) {
        text = String(decoding: stride(from: 2, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 }, as: UTF16.self)
    } else if bytes.starts(with: [0xFE, 0xFF]) {
        text = String(decoding: stride(from: 2, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }, as: UTF16.self)
    } else {
        text = String(decoding: bytes, as: UTF8.self)
    }
    var lengths: [Int] = []
    var current = 0
    var afterCR = false
    for scalar in text.unicodeScalars {
        if scalar == "\n" && afterCR { afterCR = false; continue }
        afterCR = scalar == "\r"
        if ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"].contains(scalar) {
            lengths.append(current)
            current = 0
        } else {
            current += 1
        }
    }
    if current > 0 || lengths.isEmpty { lengths.append(current) }
    return lengths
}

let environment = ["HOME": "/home/fuzz", "BUCKET": "b", "TOKEN": "t0k3n"]
let now = Date(timeIntervalSince1970: 1_788_000_000)

FuzzDriver.run { data in
    let bytes = Array(data)
    let lines = lineLengths(bytes)
    for path in ["jobs.d/fuzz.yaml", "almanac.yaml"] {
        let manifest = ManifestLoader.load(files: [SourceFile(path: path, bytes: bytes)], environment: environment, now: now,
                                           unsetVariables: .warning)
        func placed(_ location: SourceLocation, _ what: @autoclosure () -> String) {
            FuzzDriver.check(location.file == path, "\(what()) names file '\(location.file)', not \(path)")
            FuzzDriver.check(location.line >= 1 && location.line <= lines.count,
                             "\(what()) is on line \(location.line) of a \(lines.count)-line file")
            let width = location.line >= 1 && location.line <= lines.count ? lines[location.line - 1] : 0
            FuzzDriver.check(location.column >= 1 && location.column <= width + 1,
                             "\(what()) is at column \(location.column) of a line \(width) long")
        }
        for diagnostic in manifest.diagnostics { placed(diagnostic.location, "diagnostic '\(diagnostic)'") }
        for job in manifest.jobs { placed(job.location, "spec \(job.name)") }
        let hasError = manifest.diagnostics.contains { $0.severity == .error }
        FuzzDriver.check(hasError == manifest.invalidFiles.contains(path), "invalidFiles disagrees with the diagnostics")
    }
}
