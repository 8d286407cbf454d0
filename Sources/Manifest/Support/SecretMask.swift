/// The values a spec's output, errors and records are masked of, as GitHub Actions masks
/// registered secrets: each occurrence becomes `***`.
///
/// The set is every value a `${VAR}` of the spec took from the runner's environment (env,
/// run, workdir, URLs, headers, repo); a `${VAR:-default}` that fell back to its default adds
/// nothing, the default being written in the file. A value shorter than `minimumLength`
/// characters is not masked: masking `1` or `eu` would destroy output while hiding nothing a
/// guess would not find. A multi-line value is masked line by line (a PEM key printed by a
/// tool that re-wraps or indents it still loses every line), lines shorter than the minimum
/// excepted.
public struct SecretMask: Sendable, Hashable {
    /// Values shorter than this (in characters) are not masked.
    public static let minimumLength = 4
    /// What each occurrence becomes.
    public static let replacement = "***"
    private static let replacementBytes = Array(replacement.utf8)

    /// Distinct secrets as UTF-8, longest first: where two start at one place the longer wins.
    let secrets: [[UInt8]]
    /// Each secret's Knuth–Morris–Pratt failure table (the longest proper border of each prefix).
    private let borders: [[Int]]

    /// A mask of `values`, each split into lines, the short ones dropped.
    public init(_ values: some Sequence<String>) {
        var lines = Set<[UInt8]>()
        for value in values {
            for line in value.split(whereSeparator: \.isNewline) where line.count >= Self.minimumLength {
                lines.insert(Array(line.utf8))
            }
        }
        secrets = lines.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        borders = secrets.map(Self.border)
    }

    /// The mask that masks nothing.
    public static let none = SecretMask([])

    /// True when nothing would be masked (then output needs no pass through the runner).
    public var isEmpty: Bool { secrets.isEmpty }

    /// The length in bytes of the longest secret: a stream holds back at most one less.
    public var longest: Int { secrets.first?.count ?? 0 }

    /// `text` with every secret replaced by `***`.
    public func mask(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        let bytes = Array(text.utf8)
        let masked = mask(bytes)
        return masked.count == bytes.count && masked == bytes ? text : String(decoding: masked, as: UTF8.self)
    }

    /// `bytes` with every secret replaced, scanning left to right: at each place the earliest
    /// match wins, the longest among those starting there.
    ///
    /// Each secret's next occurrence is found with Knuth–Morris–Pratt (linear, whatever the
    /// text: `aaaa…ab` in a run of `a`s costs no more than any other) and only searched again
    /// once the scan has passed it, so the cost is one pass over `bytes` per secret, never a
    /// rescan per match.
    public func mask(_ bytes: [UInt8]) -> [UInt8] {
        guard !secrets.isEmpty, !bytes.isEmpty else { return bytes }
        var next = secrets.indices.map { find($0, in: bytes, from: 0) }
        guard next.contains(where: { $0 != nil }) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var position = 0
        while true {
            var best: Int?
            var bestStart = Int.max
            for index in secrets.indices {
                if let start = next[index], start < position { next[index] = find(index, in: bytes, from: position) }
                if let start = next[index], start < bestStart {
                    bestStart = start
                    best = index
                }
            }
            guard let best else { break }
            out += bytes[position..<bestStart]
            out += Self.replacementBytes
            position = bestStart + secrets[best].count
        }
        out += bytes[position...]
        return out
    }

    /// How many bytes at the end of `bytes` could be the start of a secret that the next read
    /// completes: the longest suffix that is a proper prefix of one, at most `longest - 1`.
    func pendingSuffix(of bytes: [UInt8]) -> Int {
        var pending = 0
        for secret in secrets {
            var length = min(secret.count - 1, bytes.count)
            while length > pending {
                let start = bytes.count - length
                if bytes[start] == secret[0], bytes[start...].elementsEqual(secret[..<length]) {
                    pending = length
                    break
                }
                length -= 1
            }
        }
        return pending
    }

    /// The first index at or after `from` where secret `index` starts in `haystack` (KMP).
    private func find(_ index: Int, in haystack: [UInt8], from: Int) -> Int? {
        let needle = secrets[index]
        guard from < haystack.count, haystack.count - from >= needle.count else { return nil }
        return needle.withUnsafeBufferPointer { pattern in
            borders[index].withUnsafeBufferPointer { border in
                haystack.withUnsafeBufferPointer { text -> Int? in
                    var matched = 0
                    for position in from..<text.count {
                        while matched > 0, text[position] != pattern[matched] { matched = border[matched - 1] }
                        if text[position] == pattern[matched] { matched += 1 }
                        if matched == pattern.count { return position - pattern.count + 1 }
                    }
                    return nil
                }
            }
        }
    }

    /// The KMP failure table of `pattern`: entry i is the length of the longest proper prefix
    /// of `pattern[...i]` that is also its suffix.
    private static func border(_ pattern: [UInt8]) -> [Int] {
        var table = [Int](repeating: 0, count: pattern.count)
        var length = 0
        for i in pattern.indices.dropFirst() {
            while length > 0, pattern[i] != pattern[length] { length = table[length - 1] }
            if pattern[i] == pattern[length] { length += 1 }
            table[i] = length
        }
        return table
    }
}
