import Foundation
import Hummingbird

/// The server-rendered dashboard pages.
struct DashboardHandlers: Sendable {
    let link: RunnerLink
    let access: Access
    let now: @Sendable () -> Date

    func index(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        Response(status: .ok)
    }

    func job(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        Response(status: .ok)
    }
}
