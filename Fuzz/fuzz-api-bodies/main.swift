import APIBodies
import FuzzSupport
import Foundation

// The API's request bodies: any bytes as a `{"by": ...}` body, a metrics body and a push webhook payload.
// Properties: a refused body is refused with a reason, never a crash; an accepted `by` is
// journaled as `api:` + by exactly — the prefix reads back character for character, the by
// is 1 to 64 scalars on one line, and it matches the OpenAPI document's pattern's first class.
FuzzDriver.run { data in
    let body = Array(data)
    if let requester = try? RequesterBody.requester(from: body) {
        if requester != RequesterBody.anonymous {
            FuzzDriver.check(requester.hasPrefix("api:"), "requester \(requester.debugDescription) lacks api:")
            let by = String(requester.dropFirst(4))
            // Character-wise: the prefix must not have fused with the by's first scalar.
            FuzzDriver.check("api:" + by == requester && Array(requester.prefix(4)) == Array("api:"),
                             "by \(by.debugDescription) does not read back from \(requester.debugDescription)")
            FuzzDriver.check((1...RequesterBody.maxScalars).contains(by.unicodeScalars.count), "by has \(by.unicodeScalars.count) scalars")
            FuzzDriver.check(!by.unicodeScalars.contains(where: RequesterBody.newlines.contains), "by holds a newline")
            FuzzDriver.check(by.unicodeScalars.first.map { !CombiningScalars.joinsPrevious($0) } ?? false, "by starts with a combining scalar")
            // What the runner does with it: journaled, then shown; it must survive as JSON.
            let echoed = try? JSONDecoder().decode([String].self, from: JSONEncoder().encode([requester]))
            FuzzDriver.check(echoed == [requester], "requester does not survive JSON")
        }
    }
    if let metrics = try? MetricsBody.decode(body) {
        // What the schema promises: 1 to 32 numbers, a target of 1 to 64 scalars.
        FuzzDriver.check((1...MetricsBody.maxMetrics).contains(metrics.metrics.count), "\(metrics.metrics.count) metrics accepted")
        FuzzDriver.check(metrics.metrics.values.allSatisfy(\.isFinite), "a metric that is not finite accepted")
        FuzzDriver.check(metrics.target.map { (1...64).contains($0.unicodeScalars.count) } ?? true, "target length out of range")
    }
    if let ref = try? PushPayload.ref(from: body), ref.utf8.starts(with: "refs/heads/".utf8) {
        // The watched branch is recognised byte for byte: its own name, and no other spelling
        // of it (a decomposed é is another git branch).
        let branch = String(decoding: ref.utf8.dropFirst(11), as: UTF8.self)
        FuzzDriver.check(PushPayload.names(branch: branch, ref: ref), "ref \(ref.debugDescription) not taken for its own branch")
        let decomposed = branch.decomposedStringWithCanonicalMapping
        if !decomposed.utf8.elementsEqual(branch.utf8) {
            FuzzDriver.check(!PushPayload.names(branch: decomposed, ref: ref), "ref \(ref.debugDescription) taken for another spelling")
        }
    }
}
