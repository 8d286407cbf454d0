import Foundation
import Journal

/// Tells whether a runner holds a state directory, without touching its lock: the kernel's
/// lock table says which process holds the lock file (FileJournal.lockHolder), so a runner
/// killed with its pid still in the file is seen as gone.
enum RunnerProbe {
    static func isRunning(_ stateDirectory: URL) -> Bool {
        FileJournal.lockHolder(directory: stateDirectory) != nil
    }
}
