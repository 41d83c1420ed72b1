import MonologRecords
import NIOCore

/// The read side of storage: queries that gateways and the retention worker run directly against the
/// database file. It never writes; every write goes through the storage writer.
public final class StorageReader {
    let db: SQLiteConnection
    private let allocator = ByteBufferAllocator()

    public init(connection: SQLiteConnection) {
        self.db = connection
    }

    public convenience init(directory: DataDirectory) throws(SQLiteError) {
        self.init(connection: try .openForReading(directory))
    }

    /// Runs several reads against one consistent snapshot of the database.
    public func snapshot<T>(_ body: () throws -> T) throws -> T {
        try self.db.transaction("DEFERRED", body)
    }

    public func clusterID() throws(SQLiteError) -> String? {
        let statement = try self.db.statement("SELECT value FROM cluster_metadata WHERE key = 'cluster_id'")
        defer { statement.reset() }
        return try statement.step() ? statement.string(at: 0) : nil
    }

    /// The secret that made-up SCRAM answers to unknown users derive from (nil before schema 5).
    public func scramDecoySecret() throws(SQLiteError) -> [UInt8]? {
        let statement = try self.db.statement("SELECT value FROM cluster_metadata WHERE key = 'scram_decoy_secret'")
        defer { statement.reset() }
        guard try statement.step(), let hex = statement.string(at: 0) else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex), let byte = UInt8(hex[index..<next], radix: 16) {
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    public func topics() throws(SQLiteError) -> [TopicInfo] {
        try self.db.allTopics()
    }

    public func topic(named name: String) throws(SQLiteError) -> TopicInfo? {
        try self.db.topic(named: name)
    }

    public func partitionOffsets(topicID: Int64) throws(SQLiteError) -> [PartitionOffsets] {
        let statement = try self.db.statement(
            """
            SELECT partition, log_start_offset, next_offset FROM partitions
            WHERE topic_id = ?1 ORDER BY partition
            """
        )
        defer { statement.reset() }
        statement.bind(1, topicID)
        var result: [PartitionOffsets] = []
        while try statement.step() {
            result.append(
                PartitionOffsets(
                    partition: statement.int32(at: 0),
                    logStartOffset: statement.int64(at: 1),
                    highWatermark: statement.int64(at: 2)
                )
            )
        }
        return result
    }

    public func configs(topicID: Int64) throws(SQLiteError) -> [String: String] {
        try self.db.topicConfigs(topicID: topicID)
    }

    /// Whole batches holding offsets at or after `offset`, in offset order. The first batch may start
    /// before `offset` (a fetch inside a batch returns that batch, as Kafka does). Their total stays
    /// within `maxBytes`, except that with `firstMayExceed` the first batch is returned even when it
    /// alone is larger, so a large batch is never stuck (Kafka's "at least one batch" rule, which a
    /// fetch applies to its first non-empty partition only). `upperBound` leaves out batches starting at
    /// or after it (a read_committed fetch stops at the last stable offset).
    public func batches(
        topicID: Int64,
        partition: Int32,
        fromOffset offset: Int64,
        maxBytes: Int,
        firstMayExceed: Bool = true,
        below upperBound: Int64 = .max,
        maxBatches: Int = 1_000
    ) throws(SQLiteError) -> [StoredBatch] {
        let statement = try self.db.statement(
            """
            SELECT base_offset, last_offset, data FROM batches
            WHERE topic_id = ?1 AND partition = ?2 AND last_offset >= ?3 AND base_offset < ?5
            ORDER BY last_offset LIMIT ?4
            """
        )
        defer { statement.reset() }
        statement.bind(1, topicID).bind(2, partition).bind(3, offset).bind(4, Int64(maxBatches)).bind(5, upperBound)
        var batches: [StoredBatch] = []
        var bytes = 0
        while try statement.step() {
            let data = statement.buffer(at: 2, allocator: self.allocator)
            if bytes + data.readableBytes > maxBytes && (!batches.isEmpty || !firstMayExceed) { break }
            bytes += data.readableBytes
            batches.append(StoredBatch(baseOffset: statement.int64(at: 0), lastOffset: statement.int64(at: 1), bytes: data))
        }
        return batches
    }
}

extension StorageReader {
    /// A consumer group's committed offset for one partition.
    public struct CommittedOffset: Hashable, Sendable {
        public var topic: String
        public var partition: Int32
        public var offset: Int64
        public var leaderEpoch: Int32
        public var metadata: String?
        public var commitTimeMs: Int64
    }

    public func committedOffsets(group: String) throws(SQLiteError) -> [CommittedOffset] {
        let statement = try self.db.statement(
            """
            SELECT topic, partition, committed_offset, leader_epoch, metadata, commit_time_ms FROM group_offsets
            WHERE group_id = ?1 ORDER BY topic, partition
            """
        )
        defer { statement.reset() }
        statement.bind(1, group)
        var offsets: [CommittedOffset] = []
        while try statement.step() {
            offsets.append(
                CommittedOffset(
                    topic: statement.string(at: 0) ?? "",
                    partition: statement.int32(at: 1),
                    offset: statement.int64(at: 2),
                    leaderEpoch: statement.int32(at: 3),
                    metadata: statement.isNull(at: 4) ? nil : statement.string(at: 4),
                    commitTimeMs: statement.int64(at: 5)
                )
            )
        }
        return offsets
    }

    /// Groups that have committed offsets.
    public func groupsWithOffsets() throws(SQLiteError) -> [String] {
        let statement = try self.db.statement("SELECT DISTINCT group_id FROM group_offsets ORDER BY group_id")
        defer { statement.reset() }
        var groups: [String] = []
        while try statement.step() { if let group = statement.string(at: 0) { groups.append(group) } }
        return groups
    }

    /// Every consumer group's stored state (the Kafka gateway's snapshot), as bytes, by group.
    public func groupStates() throws(SQLiteError) -> [(group: String, state: [UInt8])] {
        let statement = try self.db.statement("SELECT group_id, state FROM group_states ORDER BY group_id")
        defer { statement.reset() }
        var states: [(group: String, state: [UInt8])] = []
        let allocator = ByteBufferAllocator()
        while try statement.step() {
            guard let group = statement.string(at: 0) else { continue }
            states.append((group, Array(statement.buffer(at: 1, allocator: allocator).readableBytesView)))
        }
        return states
    }

    /// Bytes stored for a partition (the record batches), for size reporting.
    public func partitionSize(topicID: Int64, partition: Int32) throws(SQLiteError) -> Int64 {
        let statement = try self.db.statement(
            "SELECT coalesce(sum(length(data)), 0) FROM batches WHERE topic_id = ?1 AND partition = ?2"
        )
        defer { statement.reset() }
        statement.bind(1, topicID).bind(2, partition)
        return try statement.step() ? statement.int64(at: 0) : 0
    }
}

extension StorageReader {
    /// The first offset whose record timestamp is at or after `timestamp` (ListOffsets by time), or nil
    /// when every record is older. Batches whose newest record is older are skipped by their stored max
    /// timestamp; only candidate batches are decoded.
    public func offset(forTimestamp timestamp: Int64, topicID: Int64, partition: Int32, logStartOffset: Int64) throws -> (offset: Int64, timestamp: Int64)? {
        let statement = try self.db.statement(
            """
            SELECT data FROM batches WHERE topic_id = ?1 AND partition = ?2 AND max_timestamp >= ?3 AND last_offset >= ?4
            ORDER BY last_offset
            """
        )
        defer { statement.reset() }
        statement.bind(1, topicID).bind(2, partition).bind(3, timestamp).bind(4, logStartOffset)
        while try statement.step() {
            let batch = try RecordBatch(validating: statement.buffer(at: 0, allocator: ByteBufferAllocator()))
            if let record = try batch.records().first(where: { $0.offset >= logStartOffset && $0.timestamp >= timestamp }) {
                return (record.offset, record.timestamp)
            }
        }
        return nil
    }

    /// The offset and timestamp of the record with the largest timestamp (ListOffsets MAX_TIMESTAMP).
    public func maxTimestampOffset(topicID: Int64, partition: Int32, logStartOffset: Int64) throws -> (offset: Int64, timestamp: Int64)? {
        let statement = try self.db.statement(
            """
            SELECT data FROM batches WHERE topic_id = ?1 AND partition = ?2 AND last_offset >= ?3
            ORDER BY max_timestamp DESC, last_offset LIMIT 1
            """
        )
        defer { statement.reset() }
        statement.bind(1, topicID).bind(2, partition).bind(3, logStartOffset)
        guard try statement.step() else { return nil }
        let batch = try RecordBatch(validating: statement.buffer(at: 0, allocator: ByteBufferAllocator()))
        let records = try batch.records().filter { $0.offset >= logStartOffset }
        guard let best = records.max(by: { ($0.timestamp, -$0.offset) < ($1.timestamp, -$1.offset) }) else { return nil }
        return (best.offset, best.timestamp)
    }
}
