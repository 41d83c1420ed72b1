/// Queries that both sides of storage run — the gateways' readers and the writer's store — kept in one
/// place so the two can never disagree on what a topic or its configs are.
extension SQLiteConnection {
    package func topic(named name: String) throws(SQLiteError) -> TopicInfo? {
        let statement = try self.statement("SELECT topic_id, name, partition_count, created_at_ms FROM topics WHERE name = ?1")
        defer { statement.reset() }
        statement.bind(1, name)
        guard try statement.step() else { return nil }
        return TopicInfo(
            topicID: statement.int64(at: 0),
            name: statement.string(at: 1) ?? name,
            partitionCount: statement.int32(at: 2),
            createdAtMs: statement.int64(at: 3)
        )
    }

    package func allTopics() throws(SQLiteError) -> [TopicInfo] {
        let statement = try self.statement("SELECT topic_id, name, partition_count, created_at_ms FROM topics ORDER BY name")
        defer { statement.reset() }
        var topics: [TopicInfo] = []
        while try statement.step() {
            topics.append(
                TopicInfo(
                    topicID: statement.int64(at: 0),
                    name: statement.string(at: 1) ?? "",
                    partitionCount: statement.int32(at: 2),
                    createdAtMs: statement.int64(at: 3)
                )
            )
        }
        return topics
    }

    package func topicConfigs(topicID: Int64) throws(SQLiteError) -> [String: String] {
        let statement = try self.statement("SELECT key, value FROM topic_configs WHERE topic_id = ?1")
        defer { statement.reset() }
        statement.bind(1, topicID)
        var configs: [String: String] = [:]
        while try statement.step() {
            if let key = statement.string(at: 0), let value = statement.string(at: 1) { configs[key] = value }
        }
        return configs
    }
}
