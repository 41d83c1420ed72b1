import Metrics
import MonologGroups
import MonologKafkaProtocol
import MonologObservability
import MonologRecords
import NIOCore

/// What the Kafka gateway counts, through swift-metrics: request latency per API, records and bytes
/// that Fetch returns per topic, connections and the limits they meet, requests in flight, and the
/// groups its coordinator holds.
enum KafkaMetrics {
    static let connections = Meter(label: MetricCatalog.kafkaConnections)
    static let connectionsOpened = Counter(label: MetricCatalog.kafkaConnectionsOpened)
    static let requestsInFlight = Meter(label: MetricCatalog.kafkaRequestsInFlight)
    static let queuedRequests = Meter(label: MetricCatalog.kafkaQueuedRequests)
    static let queuedRequestBytes = Meter(label: MetricCatalog.kafkaQueuedRequestBytes)
    static let maxConnectionsHits = Counter(label: MetricCatalog.kafkaConnectionLimitHits, dimensions: [("limit", "max.connections")])
    static let maxConnectionsPerIPHits = Counter(label: MetricCatalog.kafkaConnectionLimitHits, dimensions: [("limit", "max.connections.per.ip")])
    static let idleConnectionsClosed = Counter(label: MetricCatalog.kafkaIdleConnectionsClosed)

    /// One latency histogram per served API, made once (a lookup per request would take the registry's lock).
    private static let requestTimers: [Int16: Metrics.Timer] = Dictionary(
        uniqueKeysWithValues: SupportedAPIs.all.map { ($0.apiKey, Metrics.Timer(label: MetricCatalog.kafkaRequestDuration, dimensions: [("api", $0.name)])) }
    )

    static func recordRequest(apiKey: Int16, since start: NIODeadline) {
        self.requestTimers[apiKey]?.recordNanoseconds((NIODeadline.now() - start).nanoseconds)
    }

    private static let fetched = TopicTrafficCounters(messages: MetricCatalog.kafkaMessagesOut, bytes: MetricCatalog.kafkaBytesOut)

    /// Counts what a Fetch response carries, per topic: whole batches, as they go out.
    static func recordFetched(_ response: FetchResponse) {
        for topic in response.responses {
            var messages = 0
            var bytes = 0
            for partition in topic.partitions {
                guard let records = partition.records, records.readableBytes > 0 else { continue }
                bytes += records.readableBytes
                messages += self.recordCount(in: records)
            }
            guard bytes > 0 else { continue }
            self.fetched.record(topic: topic.topic, messages: messages, bytes: bytes)
        }
    }

    /// The records in a run of stored batches, from each batch header's last offset delta.
    private static func recordCount(in records: ByteBuffer) -> Int {
        var count = 0
        var index = records.readerIndex
        while index < records.writerIndex, let header = try? RecordBatchHeader(from: records, at: index) {
            count += Int(header.lastOffsetDelta) + 1
            index += header.totalSize
        }
        return count
    }

    /// Sets the group gauges from the coordinator, just before an exposition.
    static func recordGroups(_ coordinator: GroupCoordinator) {
        let groups = coordinator.describeAll()
        for state in GroupState.allCases {
            Gauge(label: MetricCatalog.kafkaGroups, dimensions: [("state", state.rawValue)])
                .record(groups.count(where: { $0.state == state }))
        }
        Gauge(label: MetricCatalog.kafkaGroupMembers).record(groups.reduce(0) { $0 + $1.members.count })
    }
}
