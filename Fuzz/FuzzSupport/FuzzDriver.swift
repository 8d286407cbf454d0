import CFuzzer
import Foundation

/// Runs one harness under libFuzzer: its flags from the command line, `body` once per input.
///
/// libFuzzer's own `main` cannot sit beside Swift's, so each harness's main calls
/// `LLVMFuzzerRunDriver` through here with a C callback that forwards to the harness.
/// A property a harness finds broken is reported by `FuzzDriver.fail`, which aborts: libFuzzer
/// saves the input as `crash-<sha1>` and exits non-zero.
package enum FuzzDriver {
    /// The harness of this process. Set once, before libFuzzer starts, and read only from
    /// libFuzzer's single fuzzing thread.
    nonisolated(unsafe) private static var body: ((UnsafeRawBufferPointer) -> Void)?

    /// Hands the process to libFuzzer; returns its exit status as the process's.
    package static func run(_ harness: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
        body = harness
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            FuzzDriver.body?(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }
        exit(status)
    }

    /// Reports a broken property with what was seen, and aborts so libFuzzer keeps the input.
    package static func fail(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
        FileHandle.standardError.write(Data("\n*** property violated (\(file):\(line)): \(message)\n".utf8))
        abort()
    }

    /// `fail(message)` unless `condition` holds.
    package static func check(_ condition: Bool, _ message: @autoclosure () -> String,
                              file: StaticString = #fileID, line: UInt = #line) {
        if !condition { fail(message(), file: file, line: line) }
    }
}
