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
        report.outputTail = mask.mask(outputTail)
        report.result = result.map(mask.mask)
        report.reason = reason.map(mask.mask)
        return report
    }
}

extension JournalEvent {
    /// This event with the secrets in its free-text fields replaced by `***`.
    package func masked(by mask: SecretMask) -> JournalEvent {
        guard !mask.isEmpty else { return self }
        var event = self
        event.outputTail = outputTail.map(mask.mask)
        event.result = result.map(mask.mask)
        event.reason = reason.map(mask.mask)
        event.message = message.map(mask.mask)
        event.messages = messages.map { $0.map(mask.mask) }
        event.target = target.map(mask.mask)
        event.url = url.map(mask.mask)
        return event
    }
}
