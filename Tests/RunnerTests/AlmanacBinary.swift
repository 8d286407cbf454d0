import Foundation

/// The `almanac` executable built beside the test bundle (`make test` builds it first).
func almanacBinary() throws -> URL {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("almanac"),
        URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/almanac"),
    ]
    for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
        return candidate
    }
    throw BinaryMissing()
}

struct BinaryMissing: Error, CustomStringConvertible {
    var description: String { "the almanac binary is not built: run `swift build` before `swift test` (make test does)" }
}

/// Starts `almanac` with `arguments`, output appended to `log`.
func launchAlmanac(_ arguments: [String], log: URL, environment: [String: String] = [:]) throws -> Process {
    let process = Process()
    process.executableURL = try almanacBinary()
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if !FileManager.default.fileExists(atPath: log.path) {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    }
    let handle = try FileHandle(forWritingTo: log)
    handle.seekToEndOfFile()
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    return process
}
