/// `${VAR}` / `${VAR:-default}` substitution, with `$${` as an escape for a literal `${`.
///
/// Substitution happens once at load, from the environment passed in; the raw template is
/// kept beside the value so nothing that leaves memory (plans, journal, status) shows a secret,
/// and the values taken from the environment are returned too, so the runner can mask them
/// wherever a job's output or an error might echo them.
enum EnvTemplate {
    /// The substituted text, or the first syntax problem at a UTF-8 offset into the template.
    enum Outcome: Sendable, Hashable {
        case value(Resolved)
        case problem(offset: Int, message: String)
    }

    /// A template with every reference replaced.
    struct Resolved: Sendable, Hashable {
        /// The text with `${VAR}` replaced (an unset variable by nothing).
        var text: String
        /// The values that came from the environment; defaults written in the file are no secrets.
        var secrets: [String] = []
        /// Variables that were neither set nor given a default, with the UTF-8 offset of each `${`.
        var unset: [Reference] = []
    }

    /// One `${NAME}` in a template.
    struct Reference: Sendable, Hashable {
        var offset: Int
        var name: String
    }

    /// Substitutes `text` from `environment`.
    static func substitute(_ text: String, environment: [String: String]) -> Outcome {
        guard text.utf8.contains(UInt8(ascii: "$")) else { return .value(Resolved(text: text)) }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var resolved = Resolved(text: "")
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "$"), i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "$"), bytes[i + 2] == UInt8(ascii: "{") {
                out += Array("${".utf8)
                i += 3
                continue
            }
            guard byte == UInt8(ascii: "$"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{") else {
                out.append(byte)
                i += 1
                continue
            }
            guard let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) else {
                return .problem(offset: i, message: "unterminated `${` (write `$${` for a literal)")
            }
            let inner = String(decoding: bytes[(i + 2)..<close], as: UTF8.self)
            let name: String
            var fallback: String?
            if let split = inner.firstRange(of: ":-") {
                name = String(inner[..<split.lowerBound])
                fallback = String(inner[split.upperBound...])
            } else {
                name = inner
            }
            guard isVariableName(name) else {
                return .problem(offset: i, message: "`${\(inner)}` is not a variable reference ([A-Za-z_][A-Za-z0-9_]*)")
            }
            if let value = environment[name] {
                out += Array(value.utf8)
                resolved.secrets.append(value)
            } else if let fallback {
                out += Array(fallback.utf8)
            } else {
                resolved.unset.append(Reference(offset: i, name: name))
            }
            i = close + 1
        }
        resolved.text = String(decoding: out, as: UTF8.self)
        return .value(resolved)
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || ($0 >= 48 && $0 <= 57) }
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
}
