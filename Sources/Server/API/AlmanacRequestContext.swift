import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's core storage plus the peer's address,
/// which the trigger rate limit is keyed by.
public struct AlmanacRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Bodies are read by hand with `ServerSettings.bodyLimit`; this is the decoder's cap.
    public var maxUploadSize: Int { ServerSettings.bodyLimit }

    /// The client key for rate limits: the peer's IP address, or "local" in router tests.
    var clientKey: String { remoteAddress?.ipAddress ?? "local" }
}
