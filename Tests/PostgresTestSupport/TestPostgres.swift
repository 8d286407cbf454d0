import Foundation
import CLinux
import PostgresJournal
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server for the tests: `initdb` in a temporary directory, started on a
/// free loopback port, stopped (and its directory removed) when the test process exits.
///
/// One server per test process, a fresh database per test (`database()`), so tests stay
/// independent without paying for an `initdb` each. When the tests run as root the server runs
/// as the `postgres` user, which Debian's package creates (PostgreSQL refuses to run as root).
/// A missing PostgreSQL is an error, never a skip: `make test` installs it.
package final class TestPostgres: Sendable {
    package let port: Int
    package let directory: URL
    private let binaries: URL
    private let asUser: String?

    /// The process's server, started on first use.
    package static func shared() throws -> TestPostgres {
        try startOnce.result.get()
    }

    private static let startOnce = StartOnce()

    private final class StartOnce: Sendable {
        let result: Result<TestPostgres, any Error>
        init() {
            result = Result { try TestPostgres.start() }
            if case .success = result { atexit { TestPostgres.stopShared() } }
        }
    }

    private static func stopShared() {
        guard case .success(let server) = startOnce.result else { return }
        server.stop()
    }

    /// A new, empty database on the shared server, as a URL for the journal.
    package static func database() async throws -> DatabaseURL {
        let server = try shared()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try server.psql("CREATE DATABASE \(name)")
        return server.url(database: String(name))
    }

    package func url(database: String) -> DatabaseURL {
        DatabaseURL(user: "almanac", host: "127.0.0.1", port: port, database: database, tls: .disable)
    }

    /// Runs one statement through `psql` as the superuser (test set-up, and faults such as
    /// `pg_terminate_backend`); throws with psql's output when it fails.
    package func psql(_ statement: String, database: String = "postgres") throws {
        _ = try run(binaries.appendingPathComponent("psql").path,
                    ["-h", "127.0.0.1", "-p", String(port), "-U", "almanac", "-d", database, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", statement])
    }

    private init(port: Int, directory: URL, binaries: URL, asUser: String?) {
        self.port = port
        self.directory = directory
        self.binaries = binaries
        self.asUser = asUser
    }

    private static func start() throws -> TestPostgres {
        let binaries = try findBinaries()
        let asUser = getuid() == 0 ? "postgres" : nil
        removeAbandoned(binaries: binaries, asUser: asUser)
        var last: (any Error)?
        for _ in 0..<3 {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-pg-\(getpid())-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            if let asUser {
                guard let user = getpwnam(asUser) else {
                    throw Failure("the tests run as root and PostgreSQL must not: no '\(asUser)' user (apt-get install postgresql creates it)")
                }
                chown(directory.path, user.pointee.pw_uid, user.pointee.pw_gid)
            }
            let server = TestPostgres(port: try freePort(), directory: directory, binaries: binaries, asUser: asUser)
            do {
                try server.boot()
                return server
            } catch {
                last = error
                server.stop()
            }
        }
        throw last ?? Failure("PostgreSQL did not start")
    }

    /// Stops and removes the servers of test processes that died without their exit handler
    /// (a crash, a kill): their directories name their pid.
    private static func removeAbandoned(binaries: URL, asUser: String?) {
        let temporary = FileManager.default.temporaryDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] where name.hasPrefix("almanac-pg-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 4, let pid = Int32(parts[2]), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let server = TestPostgres(port: 0, directory: temporary.appendingPathComponent(name), binaries: binaries, asUser: asUser)
            server.stop()
        }
    }

    private func boot() throws {
        let data = directory.appendingPathComponent("data").path
        if !FileManager.default.fileExists(atPath: data) {
            _ = try run(binaries.appendingPathComponent("initdb").path,
                        ["-D", data, "-U", "almanac", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"])
        }
        _ = try run(binaries.appendingPathComponent("pg_ctl").path,
                    ["-D", data, "-l", directory.appendingPathComponent("server.log").path, "-o", serverOptions, "-w", "-t", "30", "start"])
    }

    /// fsync off: the tests never crash the machine, only processes, and PostgreSQL's own
    /// crash safety (its WAL in the page cache) still holds for those.
    private var serverOptions: String {
        "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    }

    /// Restarts the server as an operator's restart goes: every session ends (`-m fast`), and
    /// it listens again on the same port. For the chaos suite; nothing else may run meanwhile.
    package func restart() throws {
        let data = directory.appendingPathComponent("data").path
        _ = try run(binaries.appendingPathComponent("pg_ctl").path,
                    ["-D", data, "-l", directory.appendingPathComponent("server.log").path, "-o", serverOptions,
                     "-m", "fast", "-w", "-t", "30", "restart"])
    }

    /// Stops the server, keeping its data, as a database outage goes; `up()` starts it again.
    package func down() throws {
        _ = try run(binaries.appendingPathComponent("pg_ctl").path,
                    ["-D", directory.appendingPathComponent("data").path, "-m", "fast", "-w", "-t", "30", "stop"])
    }

    /// Starts the server `down()` stopped, on the same port.
    package func up() throws {
        try boot()
    }

    /// Stops the server at once and removes its directory.
    private func stop() {
        let data = directory.appendingPathComponent("data").path
        _ = try? run(binaries.appendingPathComponent("pg_ctl").path, ["-D", data, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `tool` (as the postgres user when root), waits, and returns its output; throws
    /// with that output when it exits non-zero.
    ///
    /// posix_spawn and waitpid rather than Foundation's `Process`, whose exit monitoring missed
    /// the end of `runuser … pg_ctl start` here (the child stayed a zombie, the wait never
    /// returned); output goes to a file, not a pipe, which the server pg_ctl leaves running
    /// could hold open.
    @discardableResult
    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        let argv = (asUser.map { ["/usr/sbin/runuser", "-u", $0, "--"] } ?? []) + [tool] + arguments
        let outputFile = directory.appendingPathComponent("tool-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: outputFile) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        _ = almanac_spawn_add_chdir(&actions, directory.path)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw Failure("cannot run \(argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = String(decoding: (try? Data(contentsOf: outputFile)) ?? Data(), as: UTF8.self)
        let exited = status & 0x7F == 0
        let code = (status >> 8) & 0xFF
        guard exited && code == 0 else {
            throw Failure("\(URL(fileURLWithPath: tool).lastPathComponent) \(arguments.joined(separator: " ")) failed "
                + "(\(exited ? "exit \(code)" : "signal \(status & 0x7F)")): \(text)")
        }
        return text
    }

    /// The newest installed server's binaries (`/usr/lib/postgresql/N/bin` on Debian).
    private static func findBinaries() throws -> URL {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let newest = versions.compactMap(Int.init).sorted().last { version in
            FileManager.default.isExecutableFile(atPath: root.appendingPathComponent("\(version)/bin/initdb").path)
        }
        guard let newest else {
            throw Failure("PostgreSQL is not installed (no /usr/lib/postgresql/N/bin/initdb): `make test` installs it "
                + "(apt-get install postgresql)")
        }
        return root.appendingPathComponent("\(newest)/bin")
    }

    /// A loopback port nothing listens on now.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failure("bind: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    package struct Failure: Error, CustomStringConvertible {
        package let description: String
        init(_ description: String) { self.description = description }
    }
}
