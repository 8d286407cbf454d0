// swift-tools-version:6.0
import PackageDescription

// Dependency direction (DESIGN.md): AlmanacCore ← CronSchedule ← Manifest ← Reconciler ← Scheduler ← Processes ←
// Publishing ← Daemon ← CLI,
// with Journal and GitSync as leaves over AlmanacCore. Heavy NIO-based packages stay out of these modules so
// the cron engine and manifest tests build in seconds; the one exception is AsyncHTTPClient
// for the runner's outbound HTTP (Publishing: webhooks, posts, notifications). Manifest and
// Server take swift-crypto (SHA-256 content hashes, webhook HMAC).
let package = Package(
    name: "almanac",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "almanac", targets: ["almanac"]),
        .executable(name: "almanac-bench", targets: ["almanac-bench"]),
        .library(name: "CronSchedule", targets: ["CronSchedule"]),
        .library(name: "Manifest", targets: ["Manifest"]),
        // The chaos suite's LD_PRELOAD shim (disk faults on cue); nothing links it.
        .library(name: "AlmanacFaults", type: .dynamic, targets: ["AlmanacFaults"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Server only: the HTTP face (Hummingbird, lifecycle, logging, metrics).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        // The fire queue's min-heap (HeapModule); the server's ring of recent events (DequeModule).
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        // Runner's publishing only: outbound HTTP with deadlines, pooling and proxies.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.60.0"),
        // SHA-256 and HMAC (Manifest's content hashes, the server's webhook signatures).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        // The shared journal of a cluster (PostgresJournal only).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGit2", pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),
        // The one implementation of what several modules need: RFC 3339, civil dates, JSON
        // strings and values, hex, the UTC zone. No dependencies, so every module may use it.
        .target(name: "AlmanacCore"),
        .target(name: "CronSchedule", dependencies: ["AlmanacCore"]),
        // glibc calls Swift's Glibc module does not declare (thread attributes, pidfd, pipe2,
        // prlimit, fallocate, spawn extensions, malloc_trim); no dependencies: leaves use it.
        .target(name: "CLinux"),
        // libAlmanacFaults.so: fails write/fsync/open under one directory on cue, for the
        // file-mode chaos suite; loaded with LD_PRELOAD, never linked.
        .target(name: "AlmanacFaults", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "Executors", dependencies: ["AlmanacCore", "CLinux"]),
        .target(name: "Manifest", dependencies: ["AlmanacCore", "CronSchedule", "CYAML",
                                                .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Journal", dependencies: ["AlmanacCore", "Executors"]),
        // The journal in PostgreSQL, for several runners sharing one schedule (docs/cluster.md).
        .target(name: "PostgresJournal", dependencies: ["AlmanacCore", "Journal",
                                                       .product(name: "PostgresNIO", package: "postgres-nio"),
                                                       .product(name: "Logging", package: "swift-log")]),
        .target(name: "Reconciler", dependencies: ["AlmanacCore", "Manifest", "Journal", "CronSchedule"]),
        // The runner in four modules (docs/runner.md): the scheduling actor and its clock, the
        // child processes it starts, what it publishes, and the daemon that wires them to files,
        // git and signals. Each depends only on the ones before it.
        .target(name: "Scheduler", dependencies: ["AlmanacCore", "Reconciler", "Manifest", "Journal", "CronSchedule", "Executors", "CLinux",
                                                 .product(name: "HeapModule", package: "swift-collections")]),
        .target(name: "Processes", dependencies: ["AlmanacCore", "Scheduler", "Manifest", "Journal", "CronSchedule", "CLinux"]),
        .target(name: "Publishing", dependencies: ["AlmanacCore", "Scheduler", "Processes", "Manifest", "Journal",
                                                  .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                                  .product(name: "NIOCore", package: "swift-nio"),
                                                  .product(name: "NIOPosix", package: "swift-nio")]),
        .target(name: "Daemon", dependencies: ["AlmanacCore", "Scheduler", "Processes", "Publishing", "Reconciler", "Manifest", "Journal", "CronSchedule",
                                              "GitSync", "Status", .product(name: "Logging", package: "swift-log"),
                                              .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .target(name: "GitSync", dependencies: ["AlmanacCore", "CGit2", "CLinux"]),
        .target(name: "Status", dependencies: ["AlmanacCore", "Journal", "Manifest", "CronSchedule"]),
        // The API's request bodies (`{"by": ...}`, the push webhook's `ref`) without Hummingbird,
        // so the fuzz harness for them links Foundation alone (docs/fuzzing.md).
        .target(name: "APIBodies"),
        // Only the CLI depends on Server; Hummingbird and the metrics packages stop here.
        .target(
            name: "Server",
            dependencies: [
                "AlmanacCore", "APIBodies", "Scheduler", "Daemon", "Status", "Reconciler", "Journal", "Manifest", "CronSchedule",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]),
        .executableTarget(
            name: "almanac",
            dependencies: [
                "AlmanacCore", "CronSchedule", "Manifest", "Journal", "Reconciler", "Scheduler", "Processes", "Daemon", "Status", "GitSync", "Server",
                "PostgresJournal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "almanac-bench",
            dependencies: ["AlmanacCore", "CronSchedule", "Manifest", "Journal", "Reconciler", "Scheduler", "Processes", "Daemon", "GitSync", "Status",
                           // The cluster rows start a throwaway PostgreSQL the way the tests do.
                           "PostgresJournal", "PostgresTestSupport", "Executors"]),
        // Tests only: journal events built and read in the line's flat form.
        .target(name: "JournalTestSupport", dependencies: ["Journal"], path: "Tests/JournalTestSupport"),
        // Tests only: a throwaway PostgreSQL server (initdb in a temporary directory, a free port).
        .target(name: "PostgresTestSupport", dependencies: ["PostgresJournal", "CLinux"], path: "Tests/PostgresTestSupport"),
        .testTarget(name: "AlmanacCoreTests", dependencies: ["AlmanacCore"]),
        .testTarget(name: "SystemLibrariesTests", dependencies: ["CGit2", "CYAML"]),
        .testTarget(name: "CronScheduleTests", dependencies: ["CronSchedule"], resources: [.copy("Vectors")]),
        .testTarget(name: "ManifestTests", dependencies: ["Manifest", "CronSchedule"]),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "AlmanacCore", "JournalTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ReconcilerTests", dependencies: ["Reconciler", "Manifest", "Journal", "JournalTestSupport"]),
        .testTarget(name: "RunnerTests", dependencies: ["AlmanacCore", "Scheduler", "Processes", "Publishing", "Daemon", "Reconciler", "Manifest", "Journal", "GitSync", "Status", "Server", "Executors", "JournalTestSupport", "PostgresTestSupport", "PostgresJournal",
                                                       .product(name: "Hummingbird", package: "hummingbird"),
                                                       .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "GitSyncTests", dependencies: ["GitSync"]),
        .testTarget(name: "PostgresJournalTests", dependencies: ["PostgresJournal", "PostgresTestSupport", "Journal", "AlmanacCore",
                                                               "JournalTestSupport",
                                                               .product(name: "PostgresNIO", package: "postgres-nio")]),
        .testTarget(name: "ExecutorsTests", dependencies: ["Executors"]),
        .testTarget(name: "StatusTests", dependencies: ["Status", "Journal", "Manifest", "JournalTestSupport"]),
        .testTarget(name: "APIBodiesTests", dependencies: ["APIBodies"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Scheduler", "Daemon", "Journal", "Manifest", "JournalTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
    ]
)

// The libFuzzer harnesses (docs/fuzzing.md), declared only when scripts/fuzz.sh builds them
// (ALMANAC_FUZZ=1, in its own scratch path, with ASan and libFuzzer coverage), so a normal
// `swift build` or `swift test` neither compiles nor links them.
if Context.environment["ALMANAC_FUZZ"] != nil {
    package.targets += [
        // libFuzzer's LLVMFuzzerRunDriver, declared for Swift: a harness keeps Swift's own main.
        .target(name: "CFuzzer", path: "Fuzz/CFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzer"], path: "Fuzz/FuzzSupport"),
        .executableTarget(name: "fuzz-cron", dependencies: ["FuzzSupport", "CronSchedule"], path: "Fuzz/fuzz-cron"),
        .executableTarget(name: "fuzz-manifest", dependencies: ["FuzzSupport", "Manifest"], path: "Fuzz/fuzz-manifest"),
        .executableTarget(name: "fuzz-journal", dependencies: ["FuzzSupport", "Journal"], path: "Fuzz/fuzz-journal"),
        .executableTarget(name: "fuzz-api-bodies", dependencies: ["FuzzSupport", "APIBodies"], path: "Fuzz/fuzz-api-bodies"),
    ]
    package.products += ["fuzz-cron", "fuzz-manifest", "fuzz-journal", "fuzz-api-bodies"].map {
        .executable(name: $0, targets: [$0])
    }
}
