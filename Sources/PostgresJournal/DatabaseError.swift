import Journal
import PostgresNIO

extension JournalError {
    /// A database error in the journal's terms, with the server's own words when it sent any.
    ///
    /// PostgresNIO's description is deliberately vague (it may hold a query's values); the
    /// server's message, SQLSTATE and the client's error code are what a person needs to act,
    /// and none of them carries a bound value.
    static func database(_ error: any Error, _ operation: String, at url: DatabaseURL) -> JournalError {
        if let journal = underlying(error) as? JournalError { return journal }
        return JournalError(kind: .database, path: url.description, message: "\(operation): \(describe(underlying(error)))")
    }

    /// The error inside a transaction's wrapper: the closure's, else the commit's, begin's or rollback's.
    static func underlying(_ error: any Error) -> any Error {
        guard let wrapped = error as? PostgresTransactionError else { return error }
        return wrapped.closureError ?? wrapped.commitError ?? wrapped.beginError ?? wrapped.rollbackError ?? error
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let info = error.serverInfo, let message = info[.message] {
            let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return message + state
        }
        if let underlying = error.underlying { return "\(error.code): \(describe(underlying))" }
        return "\(error.code)"
    }
}
