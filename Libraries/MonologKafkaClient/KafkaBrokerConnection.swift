import MonologKafkaProtocol
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// One connection to one broker. `connect` opens it (TLS when the settings ask), learns the broker's
/// API versions with ApiVersions, and authenticates with SASL when the settings carry credentials;
/// the connection it returns is ready for any request.
///
/// Requests may be sent from several tasks at once: each gets its own correlation id and they share
/// the connection (pipelining), as Kafka's clients do. A request that is not answered within the
/// request timeout, or a connection error, fails every pending request and closes the connection for
/// good (`isClosed`); `KafkaClusterClient` then opens a new one.
public final class KafkaBrokerConnection: Sendable {
    public let address: KafkaBrokerAddress
    let channel: any Channel
    let settings: KafkaClientSettings
    private let closedFlag: KafkaConnectionClosedFlag
    private let nextCorrelationID = Atomic<Int32>(0)
    /// The broker's version range of each API it serves, by API key; set once, by `negotiateVersions`.
    let brokerVersions = Mutex<[Int16: KafkaVersionRange]>([:])

    /// The largest response frame accepted. Fetch answers are the large ones (Kafka's default
    /// `fetch.max.bytes` is 50 MiB); the limit only keeps a confused peer from growing a buffer forever.
    static let maxResponseBytes = 256 * 1024 * 1024

    private init(address: KafkaBrokerAddress, channel: any Channel, settings: KafkaClientSettings, closedFlag: KafkaConnectionClosedFlag) {
        self.address = address
        self.channel = channel
        self.settings = settings
        self.closedFlag = closedFlag
    }

    /// True once the connection failed, timed out or was closed; it never opens again.
    public var isClosed: Bool { self.closedFlag.isClosed }

    /// Opens a connection: TCP within the connect timeout, the TLS handshake, ApiVersions (v3, or
    /// what an older broker offers), then SASL. Any failure closes it again and is thrown.
    public static func connect(to address: KafkaBrokerAddress, settings: KafkaClientSettings, group: any EventLoopGroup) async throws -> KafkaBrokerConnection {
        let closedFlag = KafkaConnectionClosedFlag()
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = try settings.tls?.makeContext()
        } catch {
            throw KafkaClientError(.tls, "TLS settings for \(address) are unusable: \(error)")
        }
        let requestTimeout = TimeAmount(settings.requestTimeout)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(TimeAmount(settings.connectTimeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handlers = channel.pipeline.syncOperations
                        if let tlsContext {
                            try handlers.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: KafkaClientTLS.serverHostname(for: address.host)))
                        }
                        try handlers.addHandler(ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: Self.maxResponseBytes)))
                        try handlers.addHandler(KafkaResponseHandler(address: address, requestTimeout: requestTimeout, closedFlag: closedFlag))
                    }
                }
                .connect(host: address.host, port: address.port)
                .get()
        } catch {
            throw KafkaClientError(.connect, "cannot connect to \(address): \(error)")
        }
        let connection = KafkaBrokerConnection(address: address, channel: channel, settings: settings, closedFlag: closedFlag)
        do {
            try await connection.negotiateVersions()
            if let sasl = settings.sasl {
                try await SASLAuthentication.authenticate(connection, sasl)
            }
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    /// Sends `request` at the version `version(for:maxVersion:)` picks and returns the decoded answer
    /// with that version (fields differ between versions, so the caller may need it to read them).
    /// Kafka errors inside the answer are returned, not thrown; a timeout or a connection failure
    /// throws and leaves the connection closed.
    public func send<Request: KafkaRequestMessage>(_ request: Request, maxVersion: Int16? = nil) async throws -> (response: Request.Response, version: Int16) {
        let version = try self.version(for: Request.self, maxVersion: maxVersion)
        return (try await self.send(request, exactVersion: version), version)
    }

    /// The version `send` picks: the highest that the broker advertises and this library can encode,
    /// leaving out a version Kafka still marks unstable, at most `maxVersion`.
    public func version<Request: KafkaRequestMessage>(for request: Request.Type, maxVersion: Int16? = nil) throws -> Int16 {
        guard let broker = self.brokerVersions.withLock({ $0[Request.apiKey] }) else {
            throw KafkaClientError(.unsupportedVersion, "\(self.address) does not serve \(Request.name) (API key \(Request.apiKey))")
        }
        var highest = min(broker.highest, Request.validVersions.highest - (Request.latestVersionUnstable ? 1 : 0))
        if let maxVersion { highest = min(highest, maxVersion) }
        let lowest = max(broker.lowest, Request.validVersions.lowest)
        guard lowest <= highest else {
            let limit = maxVersion.map { ", at most v\($0)" } ?? ""
            throw KafkaClientError(
                .unsupportedVersion,
                "\(self.address) serves \(Request.name) \(broker), this client \(Request.validVersions)\(limit): no version in common")
        }
        return highest
    }

    /// Closes the connection; requests still waiting fail with `.closed`.
    public func close() async {
        self.closedFlag.close()
        try? await self.channel.close()
    }

    /// Sends `request` at `version` and decodes the answer at the same version. Produce with acks=0
    /// gets no answer from the broker, so it returns an empty response once the request is written.
    func send<Request: KafkaRequestMessage>(_ request: Request, exactVersion version: Int16) async throws -> Request.Response {
        let expectsResponse = (request as? ProduceRequest)?.acks != 0
        guard var body = try await self.exchange(request, version: version, expectsResponse: expectsResponse) else { return Request.Response() }
        do {
            return try Request.Response(from: &body, version: version)
        } catch {
            throw KafkaClientError(.protocolError, "\(self.address) sent an undecodable \(Request.Response.name) v\(version): \(error)")
        }
    }

    /// Writes one request frame and waits for the body of its answer (the response header removed).
    func exchange<Request: KafkaRequestMessage>(_ request: Request, version: Int16, expectsResponse: Bool = true) async throws -> ByteBuffer? {
        guard !self.isClosed else { throw self.closedFlag.failure ?? KafkaClientError.closed(self.address) }
        let correlationID = self.nextCorrelationID.wrappingAdd(1, ordering: .relaxed).oldValue
        var frame = self.channel.allocator.buffer(capacity: 256)
        do {
            try KafkaRequestFrame.encode(request, version: version, correlationID: correlationID, clientID: self.settings.clientID, into: &frame)
        } catch {
            throw KafkaClientError(.protocolError, "cannot encode \(Request.name) v\(version): \(error)")
        }
        let promise = expectsResponse ? self.channel.eventLoop.makePromise(of: ByteBuffer.self) : nil
        let outbound = KafkaOutboundRequest(
            frame: frame,
            correlationID: correlationID,
            responseHeaderVersion: KafkaHeaderVersions.responseHeaderVersion(apiKey: Request.apiKey, apiVersion: version),
            response: promise
        )
        let written = self.channel.eventLoop.makePromise(of: Void.self)
        self.channel.writeAndFlush(outbound, promise: written)
        let address = self.address
        do {
            guard let promise else {
                try await written.futureResult.get()
                return nil
            }
            // A write the handler never saw (the channel already closed) would leave the promise open.
            let closedFlag = self.closedFlag
            written.futureResult.whenFailure { promise.fail(closedFlag.failure ?? KafkaResponseHandler.clientError($0, address: address)) }
            return try await promise.futureResult.get()
        } catch {
            throw self.closedFlag.failure ?? KafkaResponseHandler.clientError(error, address: address)
        }
    }
}

extension TimeAmount {
    /// A Swift `Duration` as NIO's time amount (sub-nanosecond parts dropped).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
