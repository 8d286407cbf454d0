import CGit2
import Foundation

/// The Swift state behind libgit2's remote callbacks for one network operation.
///
/// libgit2 takes C function pointers, which cannot capture; this object travels through the
/// `payload` pointer (`Unmanaged`, unretained — the caller keeps it alive for the call) and
/// collects what the callbacks learn: how often credentials were asked for, which refs the
/// remote rejected on push, and what the remote said on the side band (a hook's output).
final class RemoteCallbacks {
    let credentials: GitCredentials
    /// Credential requests answered so far (requests for a bare user name are not counted).
    var attempts = 0
    /// `(ref, status)` for each ref the remote refused during a push.
    var rejections: [(ref: String, status: String)] = []
    /// The remote's side-band messages (`remote: …` in `git push`), the last `messageLimit` bytes.
    var remoteMessages: [UInt8] = []
    static let messageLimit = 2048

    init(_ credentials: GitCredentials) {
        LibGit2.ensureInitialized()
        self.credentials = credentials
    }

    /// A `git_remote_callbacks` wired to this object; valid while `self` is alive.
    func make() -> git_remote_callbacks {
        var callbacks = git_remote_callbacks()
        git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION))
        callbacks.credentials = acquireCredential
        callbacks.push_update_reference = recordPushStatus
        callbacks.sideband_progress = recordRemoteMessage
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        return callbacks
    }

    /// The push error for the recorded rejections, if any, with what the remote said (a
    /// pre-receive hook's reason for declining, say).
    func pushRejection() -> GitError? {
        guard !rejections.isEmpty else { return nil }
        var text = rejections.map { "\($0.ref): \($0.status)" }.joined(separator: "; ")
        let said = remoteText()
        if !said.isEmpty { text += "; remote: " + said }
        let nonFastForward = rejections.contains { rejection in
            let status = rejection.status.lowercased()
            return status.contains("non-fast-forward") || status.contains("fetch first") || status.contains("stale")
        }
        return GitError(
            code: nonFastForward ? GIT_ENONFASTFORWARD.rawValue : GIT_ERROR.rawValue,
            message: "remote rejected \(text)", function: "git_remote_push",
            kind: nonFastForward ? .nonFastForward : .other)
    }

    /// The side-band messages as one line, lines joined by " / "; of a progress line redrawn
    /// with `\r`, only its last state.
    func remoteText() -> String {
        String(decoding: remoteMessages, as: UTF8.self).split(separator: "\n")
            .compactMap { $0.split(separator: "\r").last?.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: " / ")
    }

    /// Answers one credential request; returns a libgit2 code.
    func credential(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>, usernameFromURL: String?, allowed: UInt32
    ) -> Int32 {
        if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
            return git_credential_username_new(out, usernameFromURL ?? "git")
        }
        attempts += 1
        if attempts > credentials.maxAttempts {
            git_error_set_str(
                Int32(GIT_ERROR_NET.rawValue),
                "authentication failed: credentials rejected after \(credentials.maxAttempts) attempt(s) (\(credentials))")
            return GIT_EAUTH.rawValue
        }
        if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, let token = credentials.token {
            return git_credential_userpass_plaintext_new(out, credentials.tokenUsername, token)
        }
        if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
            let user = usernameFromURL ?? "git"
            if let key = credentials.sshPrivateKey {
                let publicKey = key + ".pub"
                let hasPublic = FileManager.default.fileExists(atPath: publicKey)
                return git_credential_ssh_key_new(out, user, hasPublic ? publicKey : nil, key, nil)
            }
            if credentials.useSSHAgent {
                return git_credential_ssh_key_from_agent(out, user)
            }
        }
        return GIT_PASSTHROUGH.rawValue
    }
}

/// `git_credential_acquire_cb`: forwards to the `RemoteCallbacks` behind `payload`.
private func acquireCredential(
    out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?, url: UnsafePointer<CChar>?,
    usernameFromURL: UnsafePointer<CChar>?, allowed: UInt32, payload: UnsafeMutableRawPointer?
) -> Int32 {
    guard let out, let payload else { return GIT_PASSTHROUGH.rawValue }
    let callbacks = Unmanaged<RemoteCallbacks>.fromOpaque(payload).takeUnretainedValue()
    return callbacks.credential(out, usernameFromURL: usernameFromURL.map { String(cString: $0) }, allowed: allowed)
}

/// `git_push_update_reference_cb`: a non-NULL status means the remote refused that ref.
private func recordPushStatus(
    refname: UnsafePointer<CChar>?, status: UnsafePointer<CChar>?, payload: UnsafeMutableRawPointer?
) -> Int32 {
    guard let status, let payload else { return 0 }
    let callbacks = Unmanaged<RemoteCallbacks>.fromOpaque(payload).takeUnretainedValue()
    callbacks.rejections.append((refname.map { String(cString: $0) } ?? "?", String(cString: status)))
    return 0
}

/// `git_transport_message_cb`: keeps the remote's side-band text, bounded.
private func recordRemoteMessage(text: UnsafePointer<CChar>?, length: Int32, payload: UnsafeMutableRawPointer?) -> Int32 {
    guard let text, let payload, length > 0 else { return 0 }
    let callbacks = Unmanaged<RemoteCallbacks>.fromOpaque(payload).takeUnretainedValue()
    callbacks.remoteMessages.append(contentsOf: UnsafeRawBufferPointer(start: text, count: Int(length)))
    let excess = callbacks.remoteMessages.count - RemoteCallbacks.messageLimit
    if excess > 0 { callbacks.remoteMessages.removeFirst(excess) }
    return 0
}
