// swift-tools-version:6.0
import PackageDescription

// Dependency direction (DESIGN.md): CronSchedule ← Manifest ← Reconciler ← Runner ← CLI,
// with Journal and GitSync as leaves. Heavy NIO-based packages stay out of these modules so
// the cron engine and manifest tests build in seconds.
let package = Package(
    name: "almanac",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "almanac", targets: ["almanac"]),
        .executable(name: "almanac-bench", targets: ["almanac-bench"]),
        .library(name: "CronSchedule", targets: ["CronSchedule"]),
        .library(name: "Manifest", targets: ["Manifest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Server only: the HTTP face (Hummingbird, lifecycle, logging, metrics).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGit2", pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev", "zlib1g-dev"])]),
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),
        .target(name: "CronSchedule"),
        // Dedicated threads for the runner and the journal (no dependencies: both leaves use it).
        .target(name: "CThread"),
        .target(name: "Executors", dependencies: ["CThread"]),
        .target(name: "Manifest", dependencies: ["CronSchedule", "CYAML"]),
        .target(name: "Journal", dependencies: ["Executors"]),
        .target(name: "Reconciler", dependencies: ["Manifest", "Journal", "CronSchedule"]),
        .target(name: "Runner", dependencies: ["Reconciler", "Manifest", "Journal", "CronSchedule", "GitSync", "Status", "Executors", "CThread",
                                              .product(name: "Logging", package: "swift-log")]),
        .target(name: "GitSync", dependencies: ["CGit2"]),
        .target(name: "Status", dependencies: ["Journal", "Manifest", "CronSchedule"]),
        // Only the CLI depends on Server; the heavy NIO packages stop here.
        .target(
            name: "Server",
            dependencies: [
                "Runner", "Status", "Reconciler", "Journal", "Manifest", "CronSchedule",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .executableTarget(
            name: "almanac",
            dependencies: [
                "CronSchedule", "Manifest", "Journal", "Reconciler", "Runner", "Status", "GitSync", "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "almanac-bench",
            dependencies: ["CronSchedule", "Manifest", "Journal", "Reconciler", "Runner", "GitSync", "Status"]),
        // Tests only: journal events built and read in the line's flat form.
        .target(name: "JournalTestSupport", dependencies: ["Journal"], path: "Tests/JournalTestSupport"),
        .testTarget(name: "SystemLibrariesTests", dependencies: ["CGit2", "CYAML"]),
        .testTarget(name: "CronScheduleTests", dependencies: ["CronSchedule"], resources: [.copy("Vectors")]),
        .testTarget(name: "ManifestTests", dependencies: ["Manifest", "CronSchedule"]),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "JournalTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ReconcilerTests", dependencies: ["Reconciler", "Manifest", "Journal", "JournalTestSupport"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Reconciler", "Manifest", "Journal", "GitSync", "Status", "Server", "JournalTestSupport"]),
        .testTarget(name: "GitSyncTests", dependencies: ["GitSync"]),
        .testTarget(name: "ExecutorsTests", dependencies: ["Executors"]),
        .testTarget(name: "StatusTests", dependencies: ["Status", "Journal", "Manifest", "JournalTestSupport"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Runner", "Journal", "Manifest", "JournalTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
    ]
)
