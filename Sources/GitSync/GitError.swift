import CGit2
import Foundation

/// An error from libgit2 or from GitSync itself: the result code, libgit2's message, the call.
///
/// The message is read with `git_error_last()` on the failing thread right after the failing
/// call (libgit2 keeps it thread-local), so it is libgit2's own text, not a guess.
package struct GitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, coarsely, so callers can branch without knowing libgit2's codes.
    package enum Kind: Sendable, Hashable {
        /// The object, reference or path does not exist (`GIT_ENOTFOUND`).
        case notFound
        /// A push was refused because the remote ref moved (`GIT_ENONFASTFORWARD` or a
        /// "non-fast-forward"/"fetch first" status from the server): fetch, rebuild, push again.
        case nonFastForward
        /// The remote refused our credentials, or we gave up offering them (`GIT_EAUTH`).
        case authentication
        /// Something already exists where we wanted to create it (`GIT_EEXISTS`).
        case exists
        /// The caller passed something GitSync cannot use (e.g. a malformed object id).
        case invalidArgument
        /// Any other libgit2 failure; `code` and `message` tell which.
        case other
    }

    /// libgit2's return code (negative), or -1 for errors raised by GitSync itself.
    package let code: Int32
    /// libgit2's message for the failure (never contains credentials).
    package let message: String
    /// The C function (or GitSync operation) that failed.
    package let function: String
    /// The coarse category of the failure.
    package let kind: Kind

    /// Builds an error; `kind` defaults to the category of `code`.
    package init(code: Int32, message: String, function: String, kind: Kind? = nil) {
        self.code = code
        self.message = message
        self.function = function
        self.kind = kind ?? Self.kind(of: code)
    }

    /// `function failed (code): message`, e.g. for logs and `error:` lines on stderr.
    package var description: String {
        "\(function) failed (\(code)): \(message)"
    }

    /// The error for a failed libgit2 call; call it on the same thread, right after the call.
    static func last(_ code: Int32, _ function: String) -> GitError {
        var message = "libgit2 gave no message"
        if let error = git_error_last(), let text = error.pointee.message {
            message = String(cString: text)
        }
        return GitError(code: code, message: message, function: function)
    }

    /// The error for a failed system call, with `errno`'s text; call it right after the call.
    static func posix(_ function: String) -> GitError {
        GitError(code: -1, message: String(cString: strerror(errno)), function: function)
    }

    private static func kind(of code: Int32) -> Kind {
        switch code {
        case GIT_ENOTFOUND.rawValue: .notFound
        case GIT_ENONFASTFORWARD.rawValue: .nonFastForward
        case GIT_EAUTH.rawValue: .authentication
        case GIT_EEXISTS.rawValue: .exists
        case GIT_EINVALIDSPEC.rawValue, GIT_EAMBIGUOUS.rawValue: .invalidArgument
        default: .other
        }
    }
}

/// Throws the libgit2 error for `code` when it is negative; returns it otherwise.
@discardableResult
func check(_ code: Int32, _ function: @autoclosure () -> String) throws(GitError) -> Int32 {
    if code < 0 { throw GitError.last(code, function()) }
    return code
}
