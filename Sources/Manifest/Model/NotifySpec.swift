/// Who hears about which outcomes of a job.
public struct NotifySpec: Sendable, Hashable {
    /// Outcomes that can notify.
    public enum Event: String, Sendable, Hashable, Codable, CaseIterable {
        case failure, success, retry, recovered, missed
    }

    /// Where a notification goes.
    public enum Target: Sendable, Hashable {
        /// POST of a JSON body.
        case webhook(url: String, headers: [String: String])
        /// A command with the event as JSON on stdin.
        case run(Command)
    }

    public var on: Set<Event>
    /// With `${VAR}` substituted: for sending only.
    public var target: Target
    /// As written, `${VAR}` kept: what may be displayed or stored.
    public var targetTemplate: Target
    /// The values substituted into `target`, which join the secrets of each spec using it.
    var secrets: [String]

    public init(on: Set<Event> = [.failure], target: Target, targetTemplate: Target? = nil) {
        self.init(on: on, target: target, targetTemplate: targetTemplate, secrets: [])
    }

    init(on: Set<Event>, target: Target, targetTemplate: Target?, secrets: [String]) {
        self.on = on
        self.target = target
        self.targetTemplate = targetTemplate ?? target
        self.secrets = secrets
    }

    var canonicalJSON: JSONValue {
        .object(["on": .array(on.map(\.rawValue).sorted().map(JSONValue.string)), "target": targetTemplate.canonicalJSON])
    }
}

extension NotifySpec.Target {
    var canonicalJSON: JSONValue {
        switch self {
        case .webhook(let url, let headers):
            .object(["webhook": .string(url), "headers": .object(headers.mapValues(JSONValue.string))])
        case .run(let command):
            .object(["run": .string(command.canonicalText)])
        }
    }
}

/// One place a post is published to; each target is its own exactly-once unit.
public struct PublishTarget: Sendable, Hashable {
    /// The transport.
    public enum Kind: Sendable, Hashable {
        /// An HTTP request with the content as JSON body.
        case webhook(url: String, method: String, headers: [String: String])
        /// A command with the content as JSON on stdin.
        case run(Command)
    }

    /// Optional label; the runner keys a target by its name, else by its index in the list.
    public var name: String?
    /// With `${VAR}` substituted: for publishing only.
    public var kind: Kind
    /// As written: what may be displayed or stored.
    public var kindTemplate: Kind
    /// The values substituted into `kind`, which join the secrets of each post using it.
    var secrets: [String]

    public init(name: String? = nil, kind: Kind, kindTemplate: Kind? = nil) {
        self.init(name: name, kind: kind, kindTemplate: kindTemplate, secrets: [])
    }

    init(name: String?, kind: Kind, kindTemplate: Kind?, secrets: [String]) {
        self.name = name
        self.kind = kind
        self.kindTemplate = kindTemplate ?? kind
        self.secrets = secrets
    }

    var canonicalJSON: JSONValue {
        var object: [String: JSONValue] = [:]
        if let name { object["name"] = .string(name) }
        switch kindTemplate {
        case .webhook(let url, let method, let headers):
            object["webhook"] = .string(url)
            object["method"] = .string(method)
            object["headers"] = .object(headers.mapValues(JSONValue.string))
        case .run(let command):
            object["run"] = .string(command.canonicalText)
        }
        return .object(object)
    }
}
