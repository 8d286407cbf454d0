// swift-tools-version:6.0
import PackageDescription

// Dependency direction (DESIGN.md): AlmanacCore ← CronSchedule ← Manifest ← Reconciler ← Runner ← CLI,
// with Journal and GitSync as leaves over AlmanacCore. Heavy NIO-based packages stay out of these
// modules; Manifest and Server take swift-crypto (SHA-256 content hashes, webhook HMAC), which
// Hummingbird's dependencies build anyway.
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
        // SHA-256 and HMAC (Manifest's content hashes, the server's webhook signatures).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGit2", pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev", "zlib1g-dev"])]),
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),
        // The one implementation of what several modules need: RFC 3339, civil dates, JSON
        // strings and values, hex, the UTC zone. No dependencies, so every module may use it.
        .target(name: "AlmanacCore"),
        .target(name: "CronSchedule", dependencies: ["AlmanacCore"]),
        // Dedicated threads for the runner and the journal (no dependencies: both leaves use it).
        .target(name: "CThread"),
        .target(name: "Executors", dependencies: ["CThread"]),
        .target(name: "Manifest", dependencies: ["AlmanacCore", "CronSchedule", "CYAML",
                                                .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Journal", dependencies: ["AlmanacCore", "Executors"]),
        .target(name: "Reconciler", dependencies: ["AlmanacCore", "Manifest", "Journal", "CronSchedule"]),
        .target(name: "Runner", dependencies: ["AlmanacCore", "Reconciler", "Manifest", "Journal", "CronSchedule", "GitSync", "Status", "Executors", "CThread",
                                              .product(name: "Logging", package: "swift-log")]),
        .target(name: "GitSync", dependencies: ["AlmanacCore", "CGit2"]),
        .target(name: "Status", dependencies: ["AlmanacCore", "Journal", "Manifest", "CronSchedule"]),
        // Only the CLI depends on Server; the heavy NIO packages stop here.
        .target(
            name: "Server",
            dependencies: [
                "AlmanacCore", "Runner", "Status", "Reconciler", "Journal", "Manifest", "CronSchedule",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .executableTarget(
            name: "almanac",
            dependencies: [
                "AlmanacCore", "CronSchedule", "Manifest", "Journal", "Reconciler", "Runner", "Status", "GitSync", "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "almanac-bench",
            dependencies: ["AlmanacCore", "CronSchedule", "Manifest", "Journal", "Reconciler", "Runner", "GitSync", "Status"]),
        .testTarget(name: "AlmanacCoreTests", dependencies: ["AlmanacCore"]),
        .testTarget(name: "SystemLibrariesTests", dependencies: ["CGit2", "CYAML"]),
        .testTarget(name: "CronScheduleTests", dependencies: ["CronSchedule"], resources: [.copy("Vectors")]),
        .testTarget(name: "ManifestTests", dependencies: ["Manifest", "CronSchedule"]),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "AlmanacCore"]),
        .testTarget(name: "ReconcilerTests", dependencies: ["Reconciler", "Manifest", "Journal"]),
        .testTarget(name: "RunnerTests", dependencies: ["AlmanacCore", "Runner", "Reconciler", "Manifest", "Journal", "GitSync", "Status", "Server"]),
        .testTarget(name: "GitSyncTests", dependencies: ["GitSync"]),
        .testTarget(name: "ExecutorsTests", dependencies: ["Executors"]),
        .testTarget(name: "StatusTests", dependencies: ["Status", "Journal", "Manifest"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Runner", "Journal", "Manifest",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
    ]
)
