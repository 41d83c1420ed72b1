import Logging
import MonologConfig
import MonologGroups
import MonologKafkaProtocol
import MonologSecurity
import MonologStorage
import MonologWriterClient
import NIOCore
import NIOPosix

/// What every API handler needs: storage reads (on a thread pool, off the event loops), the storage
/// writer, the broker's identity and settings.
struct KafkaGatewayContext: Sendable {
    /// This broker's node id: Monolog is a cluster of one.
    static let nodeID: Int32 = 0

    /// Every partition's leader epoch. One broker leads every partition for ever, so the epoch never
    /// changes; the storage writer stamps it into every batch it stores.
    static let leaderEpoch: Int32 = 0

    /// The error for a request that names the leader epoch it believes current (KIP-320): none for
    /// "unknown" (-1) or the real one, UNKNOWN_LEADER_EPOCH for one from the future.
    static func leaderEpochError(current: Int32) -> Int16? {
        current > leaderEpoch ? KafkaErrorCode.unknownLeaderEpoch : nil
    }

    let readers: StorageReaderPool
    let threads: NIOThreadPool
    let writer: WriterClient
    /// The configuration this gateway runs with, as DescribeConfigs reports it for the broker.
    let settings: MonologConfiguration
    let clusterID: String
    /// Consumer groups' membership and rebalances.
    let groups: GroupCoordinator
    /// Transactions: one request per transactional id at a time, and the broker's limits.
    let transactions: TransactionCoordinator
    /// Wakes long-poll fetches on the writer's watermark notifications.
    let board: WatermarkBoard
    /// The users SASL authenticates against.
    let credentials: StoredCredentials
    let logger: Logger
    /// Each topic's `compression.type` and `min.insync.replicas`, cached for Produce.
    let producePolicies = ProducePolicies()

    /// The address Metadata, FindCoordinator and DescribeCluster give clients.
    var advertisedAddress: ListenAddress { self.settings.effectiveAdvertisedKafkaAddress }
    /// `auto.create.topics.enable` and `num.partitions`.
    var autoCreateTopics: Bool { self.settings.kafka.autoCreateTopics }
    var defaultPartitions: Int32 { self.settings.kafka.defaultPartitions }

    /// Runs a blocking storage read on the thread pool and completes on `eventLoop`.
    func read<T: Sendable>(on eventLoop: any EventLoop, _ body: @escaping @Sendable (StorageReader) throws -> T) -> EventLoopFuture<T> {
        let readers = self.readers
        return self.threads.runIfActive(eventLoop: eventLoop) { try readers.withReader(body) }
    }
}

/// Who sent a request, as DescribeGroups shows a group's members.
struct KafkaClientIdentity: Sendable {
    var clientID: String
    /// The peer address, formatted as Kafka does ("/127.0.0.1").
    var host: String
}
