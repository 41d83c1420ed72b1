import Logging
import Metrics
import MonologObservability
import NIOCore

/// On the listening socket: `max.connections` and `max.connections.per.ip`.
///
/// At `max.connections` the listener stops accepting (it holds the server channel's `read()`), as
/// Kafka's acceptor waits for a free slot: new connections wait in the kernel's listen backlog and get
/// in as soon as one closes, where accept-and-close would only send clients into a reconnect loop that
/// costs both sides more. The listener accepts one connection per round, so the limit is exact; one
/// that still came past it would be closed at once. A connection over `max.connections.per.ip` is closed at once, as Kafka closes it,
/// so one address cannot take every slot. Each is counted in `/metrics` and logged at most once per
/// 10 s with how many there were.
///
/// Confined to the server channel's event loop; closing connections report back to it.
final class ConnectionLimiter: ChannelDuplexHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = Never

    private let maxConnections: Int
    private let maxPerAddress: Int
    private let logger: Logger
    private let pausedLog = OccasionalLog()
    private let perAddressLog = OccasionalLog()
    private var open = 0
    private var byAddress: [String: Int] = [:]
    private var readHeld = false

    init(maxConnections: Int, maxPerAddress: Int, logger: Logger) {
        self.maxConnections = maxConnections
        self.maxPerAddress = maxPerAddress
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = self.unwrapInboundIn(data)
        let address = connection.remoteAddress?.ipAddress ?? "unknown"
        guard self.open < self.maxConnections else {
            self.refuse(connection, limit: "max.connections", address: address)
            return
        }
        guard self.byAddress[address, default: 0] < self.maxPerAddress else {
            self.refuse(connection, limit: "max.connections.per.ip", address: address)
            return
        }
        self.open += 1
        self.byAddress[address, default: 0] += 1
        let bound = NIOLoopBound((limiter: self, context: context), eventLoop: context.eventLoop)
        connection.closeFuture.hop(to: context.eventLoop).whenComplete { _ in
            bound.value.limiter.closed(address: address, context: bound.value.context)
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        guard self.open < self.maxConnections else {
            if !self.readHeld {
                KafkaMetrics.maxConnectionsHits.increment()
                self.pausedLog.record { times in
                    self.logger.warning(
                        "max.connections reached: not accepting new connections until one closes",
                        metadata: ["limit": "\(self.maxConnections)", "times": "\(times)"]
                    )
                }
            }
            self.readHeld = true
            return
        }
        context.read()
    }

    private func closed(address: String, context: ChannelHandlerContext) {
        self.open -= 1
        let remaining = self.byAddress[address, default: 1] - 1
        self.byAddress[address] = remaining > 0 ? remaining : nil
        if self.readHeld, self.open < self.maxConnections {
            self.readHeld = false
            context.read()
        }
    }

    private func refuse(_ connection: any Channel, limit: String, address: String) {
        connection.close(promise: nil)
        if limit == "max.connections" { KafkaMetrics.maxConnectionsHits.increment() } else { KafkaMetrics.maxConnectionsPerIPHits.increment() }
        self.perAddressLog.record { times in
            self.logger.warning("closed a new connection over \(limit)", metadata: ["peer": "\(address)", "closed": "\(times)"])
        }
    }
}

@available(*, unavailable)
extension ConnectionLimiter: Sendable {}
