import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's core storage plus the peer's address,
/// which the trigger rate limit is keyed by.
package struct AlmanacRequestContext: RequestContext, RemoteAddressRequestContext {
    package var coreContext: CoreRequestContextStorage
    package let remoteAddress: SocketAddress?

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Bodies are read by hand with `ServerSettings.bodyLimit`; this is the decoder's cap.
    package var maxUploadSize: Int { ServerSettings.bodyLimit }

    /// The client key for rate limits: the peer's IP address, or "local" in router tests.
    var clientKey: String { remoteAddress?.ipAddress ?? "local" }
}
