import Foundation

/// Turns the files of a watched tree into a `Manifest`: every valid spec and every problem.
///
/// Pure: files arrive in memory (from the directory walker or a git tree), `environment` and
/// `now` are passed in. Nothing stops at the first problem — all documents of all files are
/// read, so one `almanac validate` shows everything to fix.
public enum ManifestLoader {
    /// File names that hold settings rather than specs.
    public static let configFileNames: Set<String> = ["almanac.yaml", "almanac.yml"]

    /// Loads `files` (paths relative to the root, `/`-separated). `unsetVariables` says what a
    /// `${VAR}` without a value is: the runner's error, or validate's and plan's warning.
    public static func load(files: [SourceFile], environment: [String: String], now: Date,
                            unsetVariables: UnsetVariables = .error) -> Manifest {
        let manifestFiles = files.filter { isManifestPath($0.path) }.sorted { $0.path < $1.path }
        var diagnostics: [Diagnostic] = []
        var layers: [String: ConfigLayer] = [:]
        for file in manifestFiles where configFileNames.contains(baseName(file.path)) {
            let directory = WorkdirPath.directory(of: file.path)
            let (documents, problems) = YAMLParser.parse(file.bytes, file: file.path)
            diagnostics += problems
            var context = SchemaContext(file: file.path, environment: environment, unsetVariables: unsetVariables)
            if let first = documents.first { layers[directory] = context.configLayer(first, isRoot: directory.isEmpty) }
            for extra in documents.dropFirst() { context.error("almanac.yaml holds a single document", at: extra.mark) }
            diagnostics += context.diagnostics
        }
        var resolver = LayerResolver(layers: layers)
        var built: [BuiltSpec] = []
        built.reserveCapacity(manifestFiles.count)
        for file in manifestFiles where !configFileNames.contains(baseName(file.path)) {
            let layer = resolver.effective(for: WorkdirPath.directory(of: file.path))
            let (documents, problems) = YAMLParser.parse(file.bytes, file: file.path)
            diagnostics += problems
            var context = SchemaContext(file: file.path, environment: environment, unsetVariables: unsetVariables)
            for document in documents {
                for (node, kind) in PostsList.expand(document, context: &context) {
                    built.append(context.spec(node, defaultKind: kind, config: layer, now: now))
                }
            }
            diagnostics += context.diagnostics
        }
        var checker = CrossChecker(specs: built)
        checker.run()
        diagnostics += checker.diagnostics
        diagnostics.sort { a, b in
            (a.location.file, a.location.line, a.location.column, a.message) < (b.location.file, b.location.line, b.location.column, b.message)
        }
        let jobs = checker.validSpecs
        let invalidFiles = Set(diagnostics.filter { $0.severity == .error }.map(\.location.file))
        return Manifest(jobs: jobs, diagnostics: diagnostics, invalidFiles: invalidFiles, config: resolver.rootConfig)
    }

    /// `.yaml`/`.yml` files with no dot-named component.
    static func isManifestPath(_ path: String) -> Bool {
        guard path.hasSuffix(".yaml") || path.hasSuffix(".yml") else { return false }
        return !path.split(separator: "/").contains { $0.hasPrefix(".") }
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}

/// Merges `almanac.yaml` layers from the root down to a directory; nearest wins per key.
struct LayerResolver {
    let layers: [String: ConfigLayer]
    private var cache: [String: ConfigLayer] = [:]

    init(layers: [String: ConfigLayer]) {
        self.layers = layers
    }

    mutating func effective(for directory: String) -> ConfigLayer {
        if let cached = cache[directory] { return cached }
        var result: ConfigLayer
        if directory.isEmpty {
            result = layers[""] ?? ConfigLayer()
        } else {
            let parent = WorkdirPath.directory(of: directory)
            result = effective(for: parent)
            if let own = layers[directory] {
                result.policy = result.policy.overridden(by: own.policy)
                result.defaults = result.defaults.overridden(by: own.defaults)
            }
        }
        cache[directory] = result
        return result
    }

    var rootConfig: RootConfig {
        let root = layers[""] ?? ConfigLayer()
        return RootConfig(policy: root.policy, history: root.history ?? RootConfig.History(), maxParallel: root.maxParallel,
                          defaults: root.defaults, status: root.status ?? RootConfig.StatusOutput())
    }
}

/// Expands a document holding `posts:` into one mapping per post, sharing the keys beside it.
enum PostsList {
    /// The spec mappings of a document with their default kind.
    static func expand(_ document: YAMLNode, context: inout SchemaContext) -> [(YAMLNode, SpecKind)] {
        guard case .mapping(let pairs, _) = document,
              let postsIndex = pairs.firstIndex(where: { $0.key.scalarText == "posts" }) else {
            return [(document, .job)]
        }
        let shared = pairs.enumerated().filter { $0.offset != postsIndex }.map(\.element)
        guard case .sequence(let items, _) = pairs[postsIndex].value else {
            context.error("posts: expected a list of posts, found \(pairs[postsIndex].value.kindName)", at: pairs[postsIndex].value.mark)
            return []
        }
        return items.map { item in
            guard case .mapping(let own, let mark) = item else { return (item, .post) }
            return (.mapping(merge(own, over: shared), mark), .post)
        }
    }

    /// `own` plus the `shared` keys it doesn't set; `content` maps merge one level.
    private static func merge(_ own: [(key: YAMLNode, value: YAMLNode)], over shared: [(key: YAMLNode, value: YAMLNode)])
        -> [(key: YAMLNode, value: YAMLNode)] {
        var result = own
        for pair in shared {
            guard let key = pair.key.scalarText else { continue }
            if let index = result.firstIndex(where: { $0.key.scalarText == key }) {
                if key == "content", case .mapping(let mine, let mark) = result[index].value, case .mapping(let base, _) = pair.value {
                    result[index].value = .mapping(merge(mine, over: base), mark)
                }
            } else {
                result.append(pair)
            }
        }
        return result
    }
}
