/// Comparisons whose running time does not depend on where the inputs differ.
enum ConstantTime {
    /// True when `a` and `b` are equal; the time taken depends only on their lengths.
    static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        var left = a.makeIterator()
        var right = b.makeIterator()
        // Walk the longer length so a short guess costs as much as a long one.
        for _ in 0..<max(a.count, b.count) {
            difference |= (left.next() ?? 0) ^ (right.next() ?? 0xFF)
        }
        return difference == 0 && a.count == b.count
    }

    static func equal(_ a: String, _ b: String) -> Bool { equal(Array(a.utf8), Array(b.utf8)) }
}
