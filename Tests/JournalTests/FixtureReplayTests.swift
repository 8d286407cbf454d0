import Foundation
import Testing
@testable import Journal
import JournalTestSupport

/// Journals written by an earlier version (see FixtureWriterTests) replay to the state that
/// version replayed them to, and every line re-encodes to its own bytes: the on-disk format is
/// readable and writable both ways.
@Suite("Fixture journals")
struct FixtureReplayTests {
    static let names = ["journal-v1", "journal-v1-compacted"]

    static func fixture(_ name: String, _ ext: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures"))
    }

    @Test("an old journal replays to the state the old version replayed it to", arguments: names)
    func replaysToTheRecordedState(name: String) throws {
        let report = try FileJournal.replay(file: try Self.fixture(name, "jsonl"))
        #expect(report.droppedTornLine == nil)
        let expected = try Data(contentsOf: try Self.fixture(name, "state.json"))
        let actual = Data(try SnapshotCodec.encode(report.state))
        #expect(String(decoding: actual, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect(try SnapshotCodec.decodeData(expected) == report.state)
    }

    @Test("every line of an old journal re-encodes to the same bytes", arguments: names)
    func reencodesByteForByte(name: String) throws {
        let file = try Self.fixture(name, "jsonl")
        let lines = String(decoding: try Data(contentsOf: file), as: UTF8.self).split(separator: "\n").map(String.init)
        let events = try FileJournal.events(file: file)
        #expect(events.count == lines.count)
        for (event, line) in zip(events, lines) {
            let encoded = String(decoding: try EventCodec.encode(event).dropLast(), as: UTF8.self)
            #expect(encoded == line)
        }
    }

    /// Types added after the fixtures were written: they cannot be in them (Fixtures.everyType has them).
    static let addedSinceV1: Set<String> = ["engagement"]

    @Test("the fixture covers every event type the version that wrote it knew")
    func coversEveryType() throws {
        var types = Set<String>()
        for name in Self.names {
            for event in try FileJournal.events(file: try Self.fixture(name, "jsonl")) { types.insert(event.type.rawValue) }
        }
        #expect(types == Set(EventType.allCases.map(\.rawValue)).subtracting(Self.addedSinceV1))
    }
}

extension SnapshotCodec {
    static func decodeData(_ data: Data) throws -> JournalState {
        let bytes = [UInt8](data)
        return try bytes.withUnsafeBufferPointer { try decode($0) }
    }
}
