import Foundation

/// The `Codable` form of records and metrics, for the snapshot (Foundation's coders).
///
/// The snapshot stores pending triggers as events and executions with their metrics flat,
/// under the same key names as a journal line, so these coders walk the same field lists.
struct RecordCodingKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ key: RecordKey) { stringValue = key.name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Reads a payload from a keyed container.
struct CodableSource: FieldSource {
    typealias Failure = any Error
    let container: KeyedDecodingContainer<RecordCodingKey>

    func payload<P: RecordPayload>(_ index: FieldIndex<P>) throws -> P {
        var payload = P.blank
        try Self.fill(&payload, index.ordered, from: container)
        for key in RecordKey.allCases where index.requiredMask & 1 << UInt64(key.rawValue) != 0 {
            guard container.contains(RecordCodingKey(key)) else {
                throw DecodingError.keyNotFound(RecordCodingKey(key), .init(codingPath: container.codingPath,
                                                                             debugDescription: "a \(P.self) record needs \(key.name)"))
            }
        }
        return payload
    }

    func snapshot() throws -> JournalState {
        try container.decode(JournalState.self, forKey: RecordCodingKey(.snapshot))
    }

    static func fill<P>(_ payload: inout P, _ fields: [RecordField<P>], from c: KeyedDecodingContainer<RecordCodingKey>) throws {
        for field in fields {
            let key = RecordCodingKey(field.key)
            let value: FieldValue?
            switch field.kind {
            case .string: value = try c.decodeIfPresent(String.self, forKey: key).map(FieldValue.string)
            case .json: value = try c.decodeIfPresent(String.self, forKey: key).map(FieldValue.json)
            case .int: value = try c.decodeIfPresent(Int.self, forKey: key).map(FieldValue.int)
            case .bool: value = try c.decodeIfPresent(Bool.self, forKey: key).map(FieldValue.bool)
            case .date: value = try c.decodeIfPresent(Date.self, forKey: key).map(FieldValue.date)
            case .strings: value = try c.decodeIfPresent([String].self, forKey: key).map(FieldValue.strings)
            case .map: value = try c.decodeIfPresent([String: String].self, forKey: key).map(FieldValue.map)
            case .numbers: value = try c.decodeIfPresent([String: Double].self, forKey: key).map(FieldValue.numbers)
            }
            if let value { field.set(&payload, value) }
        }
    }
}

/// Writes a payload into a keyed container.
struct CodableSink: FieldSink {
    typealias Failure = any Error
    var container: KeyedEncodingContainer<RecordCodingKey>

    mutating func write<P: RecordPayload>(_ payload: P, _ index: FieldIndex<P>) throws {
        try Self.write(payload, index.ordered, to: &container)
    }

    mutating func write(snapshot: JournalState) throws {
        try container.encode(snapshot, forKey: RecordCodingKey(.snapshot))
    }

    static func write<P>(_ payload: P, _ fields: [RecordField<P>], to c: inout KeyedEncodingContainer<RecordCodingKey>) throws {
        for field in fields {
            let key = RecordCodingKey(field.key)
            switch field.get(payload) {
            case nil: continue
            case .string(let v)?, .json(let v)?: try c.encode(v, forKey: key)
            case .int(let v)?: try c.encode(v, forKey: key)
            case .bool(let v)?: try c.encode(v, forKey: key)
            case .date(let v)?: try c.encode(v, forKey: key)
            case .strings(let v)?: try c.encode(v, forKey: key)
            case .map(let v)?: try c.encode(v, forKey: key)
            case .numbers(let v)?: try c.encode(v.filter { $0.value.isFinite }, forKey: key)
            }
        }
    }
}

extension JournalEvent: Codable {
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: RecordCodingKey.self)
        let typeName = try c.decode(String.self, forKey: RecordCodingKey(.type))
        guard let type = EventType(rawValue: typeName) else {
            throw DecodingError.dataCorruptedError(forKey: RecordCodingKey(.type), in: c, debugDescription: "unknown event type '\(typeName)'")
        }
        var source = CodableSource(container: c)
        self.init(seq: try c.decode(UInt64.self, forKey: RecordCodingKey(.seq)), at: try c.decode(Date.self, forKey: RecordCodingKey(.at)),
                  try JournalRecord.make(type, from: &source), v: try c.decodeIfPresent(Int.self, forKey: RecordCodingKey(.v)) ?? 1)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: RecordCodingKey.self)
        try c.encode(seq, forKey: RecordCodingKey(.seq))
        try c.encode(at, forKey: RecordCodingKey(.at))
        try c.encode(type.rawValue, forKey: RecordCodingKey(.type))
        var sink = CodableSink(container: c)
        try record.write(to: &sink)
        c = sink.container
        try c.encode(v, forKey: RecordCodingKey(.v))
    }
}

extension ExecutionMetrics: Codable {
    package init(from decoder: any Decoder) throws {
        self.init()
        try CodableSource.fill(&self, Self.fields, from: try decoder.container(keyedBy: RecordCodingKey.self))
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: RecordCodingKey.self)
        try CodableSink.write(self, Self.fields, to: &c)
    }
}
