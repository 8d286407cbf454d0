import Foundation
import Logging

/// A swift-log handler writing one JSON object per line to stderr (`--log-format json`):
/// `{"at": "...", "level": "info", "label": "almanac", "message": "...", ...metadata}`.
package struct JSONLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level = .info
    let label: String

    package init(label: String) {
        self.label = label
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var object: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            object[key] = "\(value)"
        }
        object["at"] = APIJSON.format(Date())
        object["level"] = event.level.rawValue
        object["label"] = label
        object["message"] = "\(event.message)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(object) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }
}

/// `--log-format text|json` and `--log-level`, applied once per process.
package enum AlmanacLogging {
    package static func bootstrap(format: String, level: String) throws(APIError) -> Logger {
        guard let level = Logger.Level(rawValue: level) else {
            throw APIError(.badRequest, "--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        switch format {
        case "json":
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case "text":
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        default:
            throw APIError(.badRequest, "--log-format must be text or json")
        }
        return Logger(label: "almanac")
    }
}
