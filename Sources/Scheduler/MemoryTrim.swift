import Glibc

/// Gives freed heap pages back to the kernel (glibc's `malloc_trim`, looked up with `dlsym`
/// because the Swift Glibc module does not declare it).
///
/// Loading and applying a large tree allocates far more transiently (YAML nodes, encoded
/// journal lines, the plan) than it keeps; without a trim that peak stays in the runner's RSS.
enum MemoryTrim {
    private typealias Trim = @convention(c) (Int) -> Int32

    private struct Table: @unchecked Sendable {
        let trim: Trim?
    }

    private static let table: Table = {
        guard let pointer = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return Table(trim: nil) }
        return Table(trim: unsafeBitCast(pointer, to: Trim.self))
    }()

    static func release() {
        _ = table.trim?(0)
    }
}
