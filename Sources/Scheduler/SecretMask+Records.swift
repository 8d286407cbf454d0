import Journal
import Manifest

/// Masking of what the runner writes about a job: its reports and journal events carry text
/// the job or an error produced (output tail, result document, messages), which may echo a
/// `${VAR}` value; every such field passes through the job's `SecretMask` first.
extension ExecutionReport {
    /// This report with the secrets in its text fields replaced by `***`.
    package func masked(by mask: SecretMask) -> ExecutionReport {
        guard !mask.isEmpty else { return self }
        var report = self
        report.metrics.outputTail = metrics.outputTail.map(mask.mask)
        report.metrics.result = metrics.result.map(mask.mask)
        report.reason = reason.map(mask.mask)
        return report
    }
}

extension JournalEvent {
    /// The line keys of free text, which may echo what a job or an error produced.
    static let freeTextKeys: [RecordKey] = [.outputTail, .result, .reason, .message, .messages, .target, .url, .channel]

    /// This event with the secrets in its free-text fields replaced by `***`.
    package func masked(by mask: SecretMask) -> JournalEvent {
        guard !mask.isEmpty, record.type != .snapshot else { return self }
        var values = record.values
        for key in Self.freeTextKeys {
            switch values[key] {
            case .string(let text)?: values[key] = .string(mask.mask(text))
            case .json(let text)?: values[key] = .json(mask.mask(text))
            case .strings(let texts)?: values[key] = .strings(texts.map(mask.mask))
            default: break
            }
        }
        var event = self
        event.record = JournalRecord(record.type, values: values)
        return event
    }
}
