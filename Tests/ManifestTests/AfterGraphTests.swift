import Foundation
import Manifest
import Testing

@Suite("after: edges and cycles")
struct AfterGraphTests {
    @Test("a two-job cycle is an error at each job's after:, naming the cycle")
    func twoJobCycle() {
        let m = load([
            "a.yaml": "name: a\nrun: [\"true\"]\nafter: [b]\n",
            "b.yaml": "name: b\nrun: [\"true\"]\nafter: [a]\n",
            "c.yaml": "name: c\nrun: [\"true\"]\nafter: [a]\n",
        ])
        #expect(lines(m) == [
            "a.yaml:3:8: error: after: cycle a → b → a",
            "b.yaml:3:8: error: after: cycle b → a → b",
        ])
        #expect(m.jobs.map(\.name) == ["c"])
        #expect(!m.isValid)
    }

    @Test("a longer cycle names its whole path; a job hanging off it is not rejected")
    func threeJobCycle() {
        let m = load(["jobs.yaml": """
            name: a
            run: ["true"]
            after: [c]
            ---
            name: b
            run: ["true"]
            after: [a]
            ---
            name: c
            run: ["true"]
            after: [x, b]
            ---
            name: x
            schedule: "0 3 * * *"
            run: ["true"]
            """])
        #expect(lines(m) == [
            "jobs.yaml:3:8: error: after: cycle a → c → b → a",
            "jobs.yaml:7:8: error: after: cycle b → a → c → b",
            "jobs.yaml:11:8: error: after: cycle c → b → a → c",
        ])
        #expect(m.jobs.map(\.name) == ["x"])
    }

    @Test("a self-reference is a positioned cycle error")
    func selfReference() {
        let m = load(["a.yaml": "name: a\nrun: [\"true\"]\nafter: [b, a]\n", "b.yaml": job("b")])
        #expect(lines(m) == ["a.yaml:3:8: error: after: cycle a → a (a job cannot run after itself)"])
    }

    @Test("the graph answers both directions; a diamond is no cycle")
    func bothDirections() {
        let graph = AfterGraph(edges: [
            (job: "report", after: ["extract", "load"]), (job: "load", after: ["extract"]), (job: "audit", after: ["extract"]),
        ])
        #expect(graph.upstreams(of: "report") == ["extract", "load"])
        #expect(graph.dependents(of: "extract") == ["audit", "load", "report"])
        #expect(graph.dependents(of: "report").isEmpty)
        #expect(graph.cycles().isEmpty)
        let looped = AfterGraph(edges: [(job: "a", after: ["b"]), (job: "b", after: ["a"]), (job: "c", after: ["c"])])
        #expect(looped.cyclicJobs == ["a", "b", "c"])
        #expect(looped.cycles().map(\.path) == [["a", "b", "a"], ["b", "a", "b"], ["c", "c"]])
    }
}
