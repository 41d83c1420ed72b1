/// `POST /api/topics`: a topic to create.
public struct CreateTopicBody: Decodable, Sendable {
    public var name: String
    public var partitions: Int32?
    /// Topic configs by Kafka's names (`retention.ms`, `cleanup.policy`, …), checked by the writer.
    public var configs: [String: String]?
}
