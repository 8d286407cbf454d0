import Foundation
import Journal
@testable import PostgresJournal
import PostgresNIO
import PostgresTestSupport
import Testing

/// The bound on every statement holds even when the server does not answer: a query waits for
/// its answer whatever its task's cancellation says, so the bound must not wait for it.
@Suite("Statement timeouts")
struct StatementTimeoutTests {
    @Test("a statement the server does not answer for 20 s fails after the 1 s bound, with the URL and no password")
    func unansweredStatement() async throws {
        var database = try await TestPostgres.database()
        database.password = "never-shown-99"
        let url = database
        let (message, elapsed) = try await PostgresJournalTests.withClient(url) { client in
            let clock = ContinuousClock()
            let start = clock.now
            do {
                _ = try await PostgresJournal.database("sleep", at: url, timeout: .seconds(1)) {
                    try await client.query("SELECT pg_sleep(20)").collect().count
                }
                return ("answered", clock.now - start)
            } catch {
                let result = ("\(error)", clock.now - start)
                // End the sleeping statement, so closing the client does not wait for it.
                try TestPostgres.shared().psql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(20)'")
                return result
            }
        }
        #expect(message.contains("no answer from the database within 1"))
        #expect(message.contains(url.description) && !message.contains("never-shown-99"))
        #expect(elapsed < .seconds(5))
    }
}
