import Foundation

/// How to authenticate to a remote: an HTTPS token from an environment variable, SSH keys,
/// or the ssh-agent.
///
/// The secret itself is never stored here — only the *name* of the variable that holds it —
/// so a `GitCredentials` value can be logged, journaled or shown in `--help` safely, and the
/// token is read only at the moment libgit2 asks for it.
package struct GitCredentials: Sendable, Hashable {
    /// The environment variable holding an HTTPS token (e.g. `GIT_TOKEN`); nil for none.
    package var tokenEnvironmentVariable: String?
    /// The user name sent with the token; GitHub and Gitea accept `x-access-token`.
    package var tokenUsername: String
    /// The SSH private key; nil means `~/.ssh/id_ed25519` when it exists, else the agent.
    /// The public key is taken from `<path>.pub` when present.
    package var sshKeyPath: String?
    /// Whether to fall back to the ssh-agent (`SSH_AUTH_SOCK`) when no key file is usable.
    package var useSSHAgent: Bool
    /// The environment the token and `HOME` are read from (the process's by default).
    package var environment: [String: String]
    /// How many times to answer libgit2's credential request before giving up; libgit2 asks
    /// again after every rejection, so without a cap a bad token loops forever.
    package var maxAttempts: Int

    /// Creates credentials; every part is optional.
    package init(
        tokenEnvironmentVariable: String? = nil,
        tokenUsername: String = "x-access-token",
        sshKeyPath: String? = nil,
        useSSHAgent: Bool = true,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        maxAttempts: Int = 2
    ) {
        self.tokenEnvironmentVariable = tokenEnvironmentVariable
        self.tokenUsername = tokenUsername
        self.sshKeyPath = sshKeyPath
        self.useSSHAgent = useSSHAgent
        self.environment = environment
        self.maxAttempts = maxAttempts
    }

    /// No credentials: local paths and public HTTPS remotes.
    package static var none: GitCredentials {
        GitCredentials(useSSHAgent: false, environment: [:])
    }

    /// The token, when the variable is named and set to something non-empty.
    var token: String? {
        guard let name = tokenEnvironmentVariable, let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// The private key file to offer: the configured one, else `~/.ssh/id_ed25519` if present.
    var sshPrivateKey: String? {
        if let sshKeyPath { return sshKeyPath }
        guard let home = environment["HOME"] else { return nil }
        let path = home + "/.ssh/id_ed25519"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}

extension GitCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Names the sources only; the token's value is never printed.
    package var description: String {
        var parts: [String] = []
        if let tokenEnvironmentVariable { parts.append("token from $\(tokenEnvironmentVariable)") }
        if let sshKeyPath { parts.append("ssh key \(sshKeyPath)") }
        if useSSHAgent { parts.append("ssh-agent") }
        return parts.isEmpty ? "no credentials" : parts.joined(separator: ", ")
    }

    package var debugDescription: String { "GitCredentials(\(description))" }

    /// Keeps `dump` and debuggers from printing `environment`, which holds the token.
    package var customMirror: Mirror {
        Mirror(self, children: ["sources": description, "maxAttempts": maxAttempts])
    }
}

extension GitCredentials {
    /// `text` (an error, a URL) with the token's value, any `user:password@` of a URL and the bare
    /// user of an HTTP(S) URL (`https://TOKEN@host`) masked,
    /// so a failed fetch can be logged and shown on `/readyz` without leaking either.
    package func redacted(_ text: String) -> String {
        var result = text
        if let name = tokenEnvironmentVariable, let token = environment[name], token.count >= 4 {
            result = result.replacingOccurrences(of: token, with: "[redacted]")
        }
        var searchStart = result.startIndex
        while let scheme = result.range(of: "://", range: searchStart..<result.endIndex) {
            let authorityEnd = result[scheme.upperBound...].firstIndex { $0 == "/" || $0 == " " || $0 == "\n" } ?? result.endIndex
            if let at = result[scheme.upperBound..<authorityEnd].lastIndex(of: "@") {
                if let colon = result[scheme.upperBound..<at].firstIndex(of: ":") {
                    result.replaceSubrange(result.index(after: colon)..<at, with: "[redacted]")
                } else if result[searchStart..<scheme.lowerBound].lowercased().hasSuffix("http")
                            || result[searchStart..<scheme.lowerBound].lowercased().hasSuffix("https") {
                    // `https://TOKEN@host/…`: a bare user in an HTTP URL is how tokens are
                    // usually written (GitHub, GitLab), so it is masked whole. `ssh://git@` stays.
                    result.replaceSubrange(scheme.upperBound..<at, with: "[redacted]")
                }
            }
            searchStart = scheme.upperBound
        }
        return result
    }
}
