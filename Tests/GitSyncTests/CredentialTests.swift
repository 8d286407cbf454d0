import CGit2
@testable import GitSync
import Testing

@Suite("credentials")
struct CredentialTests {
    /// Answers one credential request like libgit2 would make it; frees what was created.
    private func answer(_ callbacks: RemoteCallbacks, allowed: git_credential_t, user: String? = nil) -> Int32 {
        var credential: UnsafeMutablePointer<git_credential>?
        let code = callbacks.credential(&credential, usernameFromURL: user, allowed: allowed.rawValue)
        if code == 0 { #expect(credential != nil) }
        git_credential_free(credential)
        return code
    }

    @Test("a token is offered twice, then the callback gives up instead of looping")
    func retryLimit() throws {
        let callbacks = RemoteCallbacks(GitCredentials(
            tokenEnvironmentVariable: "GIT_TOKEN", useSSHAgent: false, environment: ["GIT_TOKEN": "s3cr3t"]))
        #expect(answer(callbacks, allowed: GIT_CREDENTIAL_USERPASS_PLAINTEXT) == 0)
        #expect(answer(callbacks, allowed: GIT_CREDENTIAL_USERPASS_PLAINTEXT) == 0)
        #expect(answer(callbacks, allowed: GIT_CREDENTIAL_USERPASS_PLAINTEXT) == GIT_EAUTH.rawValue)
        let message = String(cString: try #require(git_error_last()?.pointee.message))
        #expect(message.contains("after 2 attempt(s)"))
        #expect(!message.contains("s3cr3t"))
    }

    @Test("without a usable secret the request passes through to libgit2's default")
    func passthrough() {
        let unset = RemoteCallbacks(GitCredentials(tokenEnvironmentVariable: "GIT_TOKEN", useSSHAgent: false, environment: [:]))
        #expect(answer(unset, allowed: GIT_CREDENTIAL_USERPASS_PLAINTEXT) == GIT_PASSTHROUGH.rawValue)
        let sshOnly = RemoteCallbacks(GitCredentials(useSSHAgent: false, environment: ["HOME": "/nonexistent"]))
        #expect(answer(sshOnly, allowed: GIT_CREDENTIAL_SSH_KEY) == GIT_PASSTHROUGH.rawValue)
    }

    @Test("SSH uses the configured key file, and a bare user-name request is not an attempt")
    func sshKey() {
        let callbacks = RemoteCallbacks(GitCredentials(
            sshKeyPath: "/keys/id_ed25519", useSSHAgent: false, environment: [:], maxAttempts: 1))
        #expect(answer(callbacks, allowed: GIT_CREDENTIAL_USERNAME) == 0)
        #expect(answer(callbacks, allowed: GIT_CREDENTIAL_SSH_KEY, user: "git") == 0)
        #expect(callbacks.attempts == 1)
        #expect(answer(callbacks, allowed: GIT_CREDENTIAL_SSH_KEY, user: "git") == GIT_EAUTH.rawValue)
    }

    @Test("credentials describe their sources, never the token")
    func description() {
        let credentials = GitCredentials(tokenEnvironmentVariable: "GIT_TOKEN", environment: ["GIT_TOKEN": "s3cr3t"])
        #expect(credentials.description == "token from $GIT_TOKEN, ssh-agent")
        #expect(!String(reflecting: credentials).contains("s3cr3t"))
        var dumped = ""
        dump(credentials, to: &dumped)
        #expect(!dumped.contains("s3cr3t"))
    }
}

@Suite("Redaction")
struct RedactionTests {
    @Test("a token's value and a URL's password are masked; the rest of the text stays")
    func redacts() {
        let credentials = GitCredentials(tokenEnvironmentVariable: "GIT_TOKEN", environment: ["GIT_TOKEN": "ghp_secret123"])
        let text = "fetch of https://bot:hunter2@example.com/org/repo.git failed: bad token ghp_secret123"
        let redacted = credentials.redacted(text)
        #expect(redacted == "fetch of https://bot:[redacted]@example.com/org/repo.git failed: bad token [redacted]")
        #expect(GitCredentials.none.redacted("ssh://git@example.com/repo") == "ssh://git@example.com/repo")
        #expect(GitCredentials.none.redacted("clone of https://ghp_abc123@github.com/o/r failed")
            == "clone of https://[redacted]@github.com/o/r failed")
    }
}
