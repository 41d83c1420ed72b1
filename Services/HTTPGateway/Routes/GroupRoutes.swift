import Hummingbird
import MonologStorage

/// `/api/groups`: consumer groups with committed offsets, and each group's lag per partition, twice:
/// `lag`, the high watermark less the committed offset (what Kafka's tools show), and
/// `read_committed_lag`, the last stable offset less the committed offset: what a read_committed
/// consumer can still read, which leaves out records of transactions still open. The broker cannot
/// tell which isolation level a group's consumers use (Fetch does not name the group), so it reports
/// both. Membership and rebalance state live in the Kafka gateway's coordinator; over HTTP a group is
/// what it has committed.
struct GroupRoutes {
    let reads: StorageReads

    struct GroupSummary: Encodable {
        var group: String
        var partitions: Int
        var total_lag: Int64
        var total_read_committed_lag: Int64
    }

    struct GroupList: Encodable {
        var groups: [GroupSummary]
    }

    struct PartitionLag: Encodable {
        var topic: String
        var partition: Int32
        var committed_offset: Int64
        var high_watermark: Int64
        var last_stable_offset: Int64
        var lag: Int64
        var read_committed_lag: Int64
        var metadata: String?
    }

    struct GroupDetail: Encodable {
        var group: String
        var offsets: [PartitionLag]
        var total_lag: Int64
        var total_read_committed_lag: Int64
    }

    func register(on router: Router<some RequestContext>) {
        router.get("/api/groups") { _, _ in try await self.list() }
        router.get("/api/groups/:group") { _, context in
            let group = try context.parameters.require("group")
            return try await self.describe(group)
        }
    }

    func list() async throws -> Response {
        let groups = try await self.reads.run { reader in
            try reader.snapshot {
                try reader.groupsWithOffsets().map { group in
                    let lags = try Self.lags(of: group, reader: reader)
                    return GroupSummary(
                        group: group, partitions: lags.count, total_lag: lags.reduce(0) { $0 + $1.lag },
                        total_read_committed_lag: lags.reduce(0) { $0 + $1.read_committed_lag })
                }
            }
        }
        return try JSONResponse.make(GroupList(groups: groups))
    }

    func describe(_ group: String) async throws -> Response {
        let lags = try await self.reads.run { reader in try reader.snapshot { try Self.lags(of: group, reader: reader) } }
        guard !lags.isEmpty else {
            throw APIError.notFound("unknown_group", "group '\(group)' has no committed offsets")
        }
        return try JSONResponse.make(
            GroupDetail(
                group: group, offsets: lags, total_lag: lags.reduce(0) { $0 + $1.lag },
                total_read_committed_lag: lags.reduce(0) { $0 + $1.read_committed_lag }))
    }

    /// Each committed partition with its lags; a committed offset past the end (the topic was
    /// truncated or recreated) counts as no lag.
    static func lags(of group: String, reader: StorageReader) throws -> [PartitionLag] {
        var ends: [String: [Int32: (high: Int64, stable: Int64)]] = [:]
        return try reader.committedOffsets(group: group).map { committed in
            if ends[committed.topic] == nil {
                var topicEnds: [Int32: (high: Int64, stable: Int64)] = [:]
                if let topic = try reader.topic(named: committed.topic) {
                    for offsets in try reader.partitionOffsets(topicID: topic.topicID) {
                        topicEnds[offsets.partition] = (offsets.highWatermark, try reader.lastStableOffset(topicID: topic.topicID, offsets: offsets))
                    }
                }
                ends[committed.topic] = topicEnds
            }
            let end = ends[committed.topic]?[committed.partition] ?? (0, 0)
            return PartitionLag(
                topic: committed.topic,
                partition: committed.partition,
                committed_offset: committed.offset,
                high_watermark: end.high,
                last_stable_offset: end.stable,
                lag: max(0, end.high - committed.offset),
                read_committed_lag: max(0, end.stable - committed.offset),
                metadata: committed.metadata
            )
        }
    }
}
