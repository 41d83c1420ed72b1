import MonologKafkaProtocol
import MonologStorage
import NIOCore
import NIOPosix
import Synchronization

/// What a topic's configs ask of Produce in the gateway, before the storage writer sees a batch:
/// `compression.type` (with its `compression.*.level`) and `min.insync.replicas`.
struct ProducePolicy: Sendable, Equatable {
    var compression: TopicCompression
    var minInsyncReplicas: Int32

    static let `default` = ProducePolicy(compression: .producer, minInsyncReplicas: 1)

    init(compression: TopicCompression, minInsyncReplicas: Int32) {
        self.compression = compression
        self.minInsyncReplicas = minInsyncReplicas
    }

    /// From a topic's stored configs (already checked by name and value), with Kafka's defaults.
    init(configs: [String: String]) {
        self.compression = TopicCompression(configs: configs)
        self.minInsyncReplicas = configs["min.insync.replicas"].flatMap { Int32($0.trimmingJavaWhitespace()) } ?? 1
    }
}

/// Each topic's produce policy, read from the database and kept for a second, so that Produce does not
/// read SQLite for every request. A change made through this gateway (CreateTopics, AlterConfigs,
/// IncrementalAlterConfigs) forgets the topic's entry at once; one made elsewhere (the HTTP gateway
/// creating a topic) is seen within `maxAge`.
final class ProducePolicies: Sendable {
    static let maxAge = TimeAmount.seconds(1)

    private struct Entry {
        var policy: ProducePolicy
        var readAt: NIODeadline
    }

    private let entries = Mutex<[String: Entry]>([:])

    init() {}

    /// The cached policy, or nil when it must be read.
    func cached(_ topic: String, now: NIODeadline = .now()) -> ProducePolicy? {
        self.entries.withLock { entries in
            guard let entry = entries[topic], now - entry.readAt < Self.maxAge else { return nil }
            return entry.policy
        }
    }

    func store(_ policy: ProducePolicy, for topic: String, readAt: NIODeadline) {
        self.entries.withLock { $0[topic] = Entry(policy: policy, readAt: readAt) }
    }

    /// Called after this gateway changed the topic's configs, created it or deleted it.
    func forget(_ topic: String) {
        self.entries.withLock { _ = $0.removeValue(forKey: topic) }
    }

    /// The topic's policy: at once when cached, otherwise read on the thread pool. A topic that does not
    /// exist gets the default (the writer will refuse the append) and is not cached.
    func policy(for topic: String, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<ProducePolicy> {
        if let policy = self.cached(topic) { return eventLoop.makeSucceededFuture(policy) }
        let readAt = NIODeadline.now()
        return context.read(on: eventLoop) { reader -> ProducePolicy? in
            guard let info = try reader.topic(named: topic) else { return nil }
            return ProducePolicy(configs: try reader.configs(topicID: info.topicID))
        }.map { policy in
            guard let policy else { return .default }
            self.store(policy, for: topic, readAt: readAt)
            return policy
        }
    }
}

extension ProduceAPI {
    /// What becomes of one partition's records before they go to the storage writer.
    enum Prepared: Sendable {
        case append(ByteBuffer)
        case refuse(Int16)
    }

    /// Applies the topic's produce policy: acks=all on a topic with `min.insync.replicas` above 1 is
    /// refused with NOT_ENOUGH_REPLICAS, as Kafka answers when fewer replicas are in sync (here there is
    /// only ever one); a topic with a `compression.type` codec gets its batches recompressed, on the
    /// thread pool, so neither an event loop nor the writer's loop does the codec work. Batches that
    /// cannot be read are refused with CORRUPT_MESSAGE.
    static func prepare(
        _ records: ByteBuffer,
        topic: String,
        acks: Int16,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<Prepared> {
        context.producePolicies.policy(for: topic, context: context, on: eventLoop).flatMap { policy in
            if let prepared = self.applyAtOnce(policy, to: records, acks: acks) { return eventLoop.makeSucceededFuture(prepared) }
            return context.threads.runIfActive(eventLoop: eventLoop) { () -> Prepared in
                do {
                    return .append(try policy.compression.apply(to: records))
                } catch {
                    return .refuse(KafkaErrorCode.corruptMessage)
                }
            }
        }
    }

    /// The policy's outcome when it needs no work (no recompression); nil when it does.
    static func applyAtOnce(_ policy: ProducePolicy, to records: ByteBuffer, acks: Int16) -> Prepared? {
        if acks == -1 && policy.minInsyncReplicas > 1 { return .refuse(KafkaErrorCode.notEnoughReplicas) }
        return policy.compression.codec == nil ? .append(records) : nil
    }
}
