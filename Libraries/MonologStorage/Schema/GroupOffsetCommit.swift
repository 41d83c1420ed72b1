/// One offset a consumer group commits for a partition: what the writer's commit command carries and
/// the engine stores in `group_offsets`.
public struct GroupOffsetCommit: Hashable, Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var leaderEpoch: Int32
    public var metadata: String?

    public init(topic: String, partition: Int32, offset: Int64, leaderEpoch: Int32, metadata: String?) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.leaderEpoch = leaderEpoch
        self.metadata = metadata
    }
}
