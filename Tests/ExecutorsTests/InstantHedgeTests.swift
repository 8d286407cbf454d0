import CThread
import Executors
import Foundation
import Glibc
import Synchronization
import Testing

@Suite("InstantHedge")
struct InstantHedgeTests {
    static let hedge = InstantHedge()
    static let delivery = DedicatedExecutor(name: "almanac-deliver")

    @Test("runs the body once, not before the instant, on a pinned thread, and resumes from the delivery thread")
    func once() async {
        let calls = Atomic<Int>(0)
        let deadline = DedicatedExecutor.monotonicNow() + 30_000_000
        let (ran, cpu, allowed) = await Self.hedge.perform(atMonotonic: deadline, delivery: Self.delivery) {
            calls.add(1, ordering: .relaxed)
            return (DedicatedExecutor.monotonicNow(), Self.threadStatus("Cpus_allowed_list"), Self.threadStatus("Cpus_allowed_list"))
        }
        #expect(ran >= deadline)
        #expect(ran - deadline < 20_000_000)
        #expect(Self.delivery.isCurrent == false)  // the caller's own executor took over again
        // The losing thread wakes too, finds the instant taken, and does nothing.
        try? await Task.sleep(for: .milliseconds(50))
        #expect(calls.load(ordering: .relaxed) == 1)
        _ = allowed
        if Self.hedge.threads.count == 2 {
            // Pinned: the thread that ran it may use exactly its one CPU, and the two differ.
            let pins = Self.hedge.threads.compactMap(\.cpu)
            #expect(Set(pins).count == 2)
            #expect(pins.map(String.init).contains(cpu))
        }
    }

    @Test("many instants at once each run exactly once, each no earlier than its own time")
    func many() async {
        let base = DedicatedExecutor.monotonicNow() + 20_000_000
        let results = await withTaskGroup(of: (UInt64, UInt64).self) { group in
            for index in 0..<200 {
                let deadline = base + UInt64(index % 20) * 1_000_000
                group.addTask {
                    (deadline, await Self.hedge.perform(atMonotonic: deadline, delivery: Self.delivery) {
                        DedicatedExecutor.monotonicNow()
                    })
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 200)
        #expect(results.allSatisfy { $0.1 >= $0.0 })
    }

    /// A field of /proc/thread-self/status (the calling thread's), e.g. `Cpus_allowed_list`.
    static func threadStatus(_ field: String) -> String {
        let text = (try? String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
        return line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces)
    }
}
