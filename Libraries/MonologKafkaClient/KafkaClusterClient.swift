import MonologKafkaProtocol
import NIOCore
import NIOPosix
import Synchronization

/// A Kafka cluster as one client sees it: the bootstrap servers, the brokers and partition leaders
/// that Metadata reports, the group coordinators FindCoordinator names, and one connection per broker,
/// opened on first use and opened again once it has closed.
///
/// Routing is cached and never refreshed behind the caller's back: after an error that says a route is
/// stale (NOT_LEADER_OR_FOLLOWER, NOT_COORDINATOR, a closed connection) the caller calls
/// `invalidateRouting()` and retries, which looks the routes up again. That keeps every retry policy in
/// the caller, who knows which requests are safe to repeat.
public final class KafkaClusterClient: Sendable {
    let settings: KafkaClientSettings
    private let group: any EventLoopGroup
    let state = Mutex(State())

    /// A broker's connection: being opened (callers wait on the same task, so a burst of requests
    /// opens one connection, not many) or open.
    enum Slot {
        case connecting(Task<KafkaBrokerConnection, any Error>)
        case connected(KafkaBrokerConnection)
    }

    struct State {
        /// By broker id, from the latest Metadata answer.
        var brokers: [Int32: KafkaBrokerAddress] = [:]
        var leaders: [TopicPartition: Int32] = [:]
        var coordinators: [String: KafkaBrokerAddress] = [:]
        /// By address: a bootstrap server and the broker it turns out to be share one connection.
        var connections: [KafkaBrokerAddress: Slot] = [:]
        var isShutDown = false
    }

    struct TopicPartition: Hashable {
        var topic: String
        var partition: Int32
    }

    /// Connects to nothing yet: the first request opens the first connection.
    public init(settings: KafkaClientSettings, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.settings = settings
        self.group = group
    }

    /// A live connection to some broker: an open one if there is one, else the bootstrap servers in
    /// turn, then the brokers Metadata named. A refused login or a version mismatch ends the search at
    /// once, since every broker of a cluster would answer the same.
    public func anyConnection() async throws -> KafkaBrokerConnection {
        let (open, known) = try self.state.withLock { state throws -> (KafkaBrokerConnection?, [KafkaBrokerAddress]) in
            guard !state.isShutDown else { throw Self.shutDownError }
            let open = state.connections.values.lazy.compactMap { slot -> KafkaBrokerConnection? in
                if case .connected(let connection) = slot, !connection.isClosed { return connection }
                return nil
            }.first
            return (open, state.brokers.sorted { $0.key < $1.key }.map(\.value))
        }
        if let open { return open }
        var candidates: [KafkaBrokerAddress] = []
        for address in self.settings.bootstrap + known where !candidates.contains(address) { candidates.append(address) }
        var failures: [KafkaClientError] = []
        for address in candidates {
            do {
                return try await self.connection(to: address)
            } catch let error as KafkaClientError {
                if error.kind == .authentication || error.kind == .unsupportedVersion { throw error }
                failures.append(error)
            }
        }
        if failures.count == 1 { throw failures[0] }
        let detail = failures.isEmpty ? "no bootstrap servers configured" : failures.map(\.description).joined(separator: "; ")
        throw KafkaClientError(.connect, "no broker reachable: \(detail)")
    }

    /// The connection to `address`, opened if there is none or the last one closed.
    func connection(to address: KafkaBrokerAddress) async throws -> KafkaBrokerConnection {
        let settings = self.settings
        let group = self.group
        let slot = try self.state.withLock { state throws -> Slot in
            guard !state.isShutDown else { throw Self.shutDownError }
            switch state.connections[address] {
            case .connected(let connection) where !connection.isClosed:
                return .connected(connection)
            case .connecting(let task):
                return .connecting(task)
            case .connected, nil:
                let task = Task { try await KafkaBrokerConnection.connect(to: address, settings: settings, group: group) }
                state.connections[address] = .connecting(task)
                return .connecting(task)
            }
        }
        guard case .connecting(let task) = slot else {
            if case .connected(let connection) = slot { return connection }
            preconditionFailure("unreachable slot \(slot)")
        }
        let connection: KafkaBrokerConnection
        do {
            connection = try await task.value
        } catch {
            self.state.withLock { state in
                if case .connecting(let current) = state.connections[address], current == task { state.connections[address] = nil }
            }
            throw error
        }
        let isShutDown = self.state.withLock { state -> Bool in
            if case .connecting(let current) = state.connections[address], current == task { state.connections[address] = .connected(connection) }
            return state.isShutDown
        }
        if isShutDown {
            await connection.close()
            throw Self.shutDownError
        }
        return connection
    }

    /// Forgets every partition leader and group coordinator, so the next lookup asks the cluster again.
    /// For the caller to use after an answer that means a route is stale: NOT_LEADER_OR_FOLLOWER,
    /// NOT_COORDINATOR, or a closed connection (which is itself replaced on the next use).
    public func invalidateRouting() {
        self.state.withLock { state in
            state.leaders = [:]
            state.coordinators = [:]
        }
    }

    /// Closes every connection, and those still being opened once they are; later calls throw `.closed`.
    public func shutdown() async {
        let slots = self.state.withLock { state -> [Slot] in
            state.isShutDown = true
            defer { state.connections = [:] }
            return Array(state.connections.values)
        }
        for slot in slots {
            switch slot {
            case .connected(let connection): await connection.close()
            case .connecting(let task): await (try? task.value)?.close()
            }
        }
    }

    static let shutDownError = KafkaClientError(.closed, "the cluster client is shut down")
}
