import Foundation
import Testing

/// Each watched directory gets its own default state directory, and a state directory that
/// belongs to another source is refused, so two trees never journal each other's jobs as removed.
@Suite("default state directories", .serialized)
struct StateLocationTests {
    private func tree(_ temp: TempDirectory, _ name: String, job: String) throws {
        let directory = temp.url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "name: \(job)\nschedule: \"@yearly\"\nrun: [\"true\"]\n"
            .write(to: directory.appendingPathComponent("\(job).yaml"), atomically: true, encoding: .utf8)
    }

    private func journal(_ temp: TempDirectory, _ path: String) throws -> String {
        try String(contentsOf: temp.url.appendingPathComponent(path), encoding: .utf8)
    }

    @Test("two sibling directories run with their own journals; neither journals the other's jobs as removed")
    func siblingsKeepTheirOwnState() throws {
        let temp = try TempDirectory()
        try tree(temp, "quickstart", job: "hello")
        try tree(temp, "posts", job: "launch")
        #expect(try almanac(["run", "quickstart", "--for", "1s"], in: temp.url).0 == 0)
        #expect(try almanac(["run", "posts", "--for", "1s"], in: temp.url).0 == 0)
        let first = try journal(temp, ".almanac/quickstart/journal.jsonl")
        let second = try journal(temp, ".almanac/posts/journal.jsonl")
        #expect(first.contains("\"job\":\"hello\"") && !first.contains("launch"))
        #expect(second.contains("\"job\":\"launch\"") && !second.contains("hello"))
        #expect(!first.contains("\"type\":\"removed\"") && !second.contains("\"type\":\"removed\""))
        let (status, out, _) = try almanac(["status", "--path", "quickstart", "--format", "json"], in: temp.url)
        #expect(status == 0)
        #expect(out.contains("hello") && !out.contains("launch"))
        #expect(try almanac(["history", "hello", "--path", "quickstart"], in: temp.url).0 == 0)
        let (other, _, err) = try almanac(["history", "launch", "--path", "quickstart"], in: temp.url)
        #expect(other == 1 && err.contains(".almanac/quickstart"))
    }

    @Test("run refuses a state directory that belongs to another watched directory, and changes nothing in it")
    func refusesAnotherSourcesState() throws {
        let temp = try TempDirectory()
        try tree(temp, "quickstart", job: "hello")
        try tree(temp, "posts", job: "launch")
        #expect(try almanac(["run", "quickstart", "--for", "1s"], in: temp.url).0 == 0)
        let before = try journal(temp, ".almanac/quickstart/journal.jsonl")
        let (status, _, err) = try almanac(["run", "posts", "--state", ".almanac/quickstart", "--for", "1s"], in: temp.url)
        #expect(status == 1)
        #expect(err.contains("belongs to \(temp.url.appendingPathComponent("quickstart").standardizedFileURL.path)"))
        #expect(try journal(temp, ".almanac/quickstart/journal.jsonl") == before)
    }

    @Test("a journal in the old shared place is still read by the directory that owns it, with a note")
    func legacySharedStateIsKept() throws {
        let temp = try TempDirectory()
        try tree(temp, "quickstart", job: "hello")
        try tree(temp, "posts", job: "launch")
        #expect(try almanac(["run", "quickstart", "--state", ".almanac", "--for", "1s"], in: temp.url).0 == 0)
        let (status, out, err) = try almanac(["status", "--path", "quickstart", "--format", "json"], in: temp.url)
        #expect(status == 0)
        #expect(err.contains("note: using \(temp.url.appendingPathComponent(".almanac").standardizedFileURL.path)"))
        #expect(out.contains("hello"))
        // The old place belongs to quickstart now: posts gets a directory of its own.
        #expect(try almanac(["run", "posts", "--for", "1s"], in: temp.url).0 == 0)
        #expect(try journal(temp, ".almanac/posts/journal.jsonl").contains("launch"))
        #expect(!(try journal(temp, ".almanac/journal.jsonl")).contains("launch"))
    }
}
