/// Every metric a Monolog process reports, with its help text and histogram buckets: one list, so the
/// names stay consistent across processes and `/metrics` explains itself.
///
/// Names say which process counts them (`monolog_writer_…`, `monolog_kafka_…`, `monolog_http_…`): the
/// HTTP gateway's `/metrics` joins each process's exposition, and a name must belong to one of them.
public enum MetricCatalog {
    public struct Entry: Sendable {
        public var help: String
        public var durationBuckets: [Duration]? = nil
        public var valueBuckets: [Double]? = nil
    }

    // The storage writer.
    public static let writerMessagesIn = "monolog_writer_messages_in_total"
    public static let writerBytesIn = "monolog_writer_bytes_in_total"
    public static let writerCommitRequests = "monolog_writer_commit_requests"
    public static let writerCommitDuration = "monolog_writer_commit_duration_seconds"
    public static let writerFsyncDuration = "monolog_writer_fsync_duration_seconds"
    public static let writerConnections = "monolog_writer_connections"
    public static let writerRejectedRequests = "monolog_writer_rejected_requests_total"

    // The Kafka gateway.
    public static let kafkaRequestDuration = "monolog_kafka_request_duration_seconds"
    public static let kafkaMessagesOut = "monolog_kafka_messages_out_total"
    public static let kafkaBytesOut = "monolog_kafka_bytes_out_total"
    public static let kafkaConnections = "monolog_kafka_connections"
    public static let kafkaConnectionsOpened = "monolog_kafka_connections_opened_total"
    public static let kafkaGroups = "monolog_kafka_groups"
    public static let kafkaGroupMembers = "monolog_kafka_group_members"
    public static let kafkaRequestsInFlight = "monolog_kafka_requests_in_flight"
    public static let kafkaQueuedRequests = "monolog_kafka_queued_requests"
    public static let kafkaQueuedRequestBytes = "monolog_kafka_queued_request_bytes"
    public static let kafkaConnectionLimitHits = "monolog_kafka_connection_limit_hits_total"
    public static let kafkaIdleConnectionsClosed = "monolog_kafka_idle_connections_closed_total"

    // The HTTP gateway.
    public static let httpRequestDuration = "monolog_http_request_duration_seconds"
    public static let httpMessagesOut = "monolog_http_messages_out_total"
    public static let httpBytesOut = "monolog_http_bytes_out_total"
    public static let httpConnectionLimitHits = "monolog_http_connection_limit_hits_total"
    public static let consumerGroupLag = "monolog_consumer_group_lag"
    /// Lag against the last stable offset: what a read_committed consumer of the group can still read.
    public static let consumerGroupReadCommittedLag = "monolog_consumer_group_read_committed_lag"
    public static let processUp = "monolog_process_up"
    public static let replicationPendingBytes = "monolog_replication_pending_bytes"
    public static let replicationLagSeconds = "monolog_replication_lag_seconds"

    /// Latencies of requests that may wait on an fsync (or a long poll): from a tenth of a millisecond to 30 s.
    static let requestBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]
    /// An fsync on this class of disk takes 50 µs to a few ms; a sick disk, up to seconds.
    static let fsyncBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(200), .microseconds(500), .milliseconds(1),
        .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(250), .seconds(1),
    ]

    public static let entries: [String: Entry] = [
        writerMessagesIn: Entry(help: "Records appended and committed, per topic."),
        writerBytesIn: Entry(help: "Record-batch bytes appended and committed, per topic."),
        writerCommitRequests: Entry(
            help: "Write requests sharing one transaction and one fsync (the group-commit size).",
            valueBuckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
        ),
        writerCommitDuration: Entry(help: "Time to apply and commit one group of writes.", durationBuckets: fsyncBuckets),
        writerFsyncDuration: Entry(
            help: "Time of the COMMIT that makes a group durable (the WAL write and its fsync).",
            durationBuckets: fsyncBuckets
        ),
        writerConnections: Entry(help: "Open connections to the storage writer (gateways and the retention worker)."),
        writerRejectedRequests: Entry(help: "Write requests answered with an error, per error code."),
        kafkaRequestDuration: Entry(
            help: "Time from a Kafka request's arrival to its response, per API (Fetch includes its wait).",
            durationBuckets: requestBuckets
        ),
        kafkaMessagesOut: Entry(help: "Records returned by Fetch, per topic."),
        kafkaBytesOut: Entry(help: "Record-batch bytes returned by Fetch, per topic."),
        kafkaConnections: Entry(help: "Open Kafka client connections."),
        kafkaConnectionsOpened: Entry(help: "Kafka client connections accepted since the gateway started."),
        kafkaGroups: Entry(help: "Consumer groups the coordinator has seen since the gateway started, per state."),
        kafkaGroupMembers: Entry(help: "Members of consumer groups."),
        kafkaRequestsInFlight: Entry(
            help: "Kafka requests read and not yet answered, parked long-poll fetches included (each connection reads at most 8 ahead)."
        ),
        kafkaQueuedRequests: Entry(help: "Kafka requests holding a place under queued.max.requests (parked long-poll fetches do not)."),
        kafkaQueuedRequestBytes: Entry(help: "Frame bytes of the requests under queued.max.request.bytes."),
        kafkaConnectionLimitHits: Entry(
            help: "New Kafka connections held back by a limit: accepting paused at max.connections, or closed over max.connections.per.ip."
        ),
        kafkaIdleConnectionsClosed: Entry(help: "Kafka connections closed after connections.max.idle.ms without traffic."),
        httpRequestDuration: Entry(
            help: "Time to answer an HTTP request, per operation (consume includes its wait).",
            durationBuckets: requestBuckets
        ),
        httpMessagesOut: Entry(help: "Messages returned by HTTP consume, per topic."),
        httpBytesOut: Entry(help: "Value and key bytes returned by HTTP consume, per topic."),
        httpConnectionLimitHits: Entry(help: "Times the HTTP gateway stopped accepting at --http-max-connections."),
        consumerGroupLag: Entry(
            help: "Messages between a group's committed offset and the high watermark, per group, topic and partition."
        ),
        consumerGroupReadCommittedLag: Entry(
            help:
                "Offsets between a group's committed offset and the last stable offset (what a read_committed consumer can read), per group, topic and partition."
        ),
        processUp: Entry(help: "1 when the process answered this scrape, 0 when it did not."),
        replicationPendingBytes: Entry(
            help: "Bytes of changes Litestream has prepared but not yet shipped to the replica (file:// replicas only)."
        ),
        replicationLagSeconds: Entry(
            help: "Age of the oldest change not yet in the replica, 0 when it holds everything (file:// replicas only)."
        ),
    ]
}
