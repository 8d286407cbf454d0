import Scheduler
import Processes
import Publishing
/// The one version of Almanac: `almanac --version` prints it, the HTTP server names itself
/// with it (`Server: almanac/…`). Raise it here, and only here, when cutting a release.
package enum AlmanacVersion {
    package static let current = "0.1.0"
}
