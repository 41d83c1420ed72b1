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

    /// The first offset of the partition's oldest open transaction, if one is open (the last stable
    /// offset's bound for readers, and where compaction stops).
    package func firstOpenTransactionOffset(topicID: Int64, partition: Int32) throws(SQLiteError) -> Int64? {
        let select = try self.statement("SELECT MIN(first_offset) FROM open_transactions WHERE topic_id = ?1 AND partition = ?2")
        defer { select.reset() }
        select.bind(1, topicID).bind(2, partition)
        guard try select.step(), !select.isNull(at: 0) else { return nil }
        return select.int64(at: 0)
    }

    /// Aborted transactions that overlap offsets `from ..< upTo`, oldest first.
    package func abortedTransactions(topicID: Int64, partition: Int32, from: Int64, upTo: Int64) throws(SQLiteError) -> [StorageReader.AbortedTransaction] {
        let select = try self.statement(
            """
            SELECT producer_id, first_offset FROM aborted_transactions
            WHERE topic_id = ?1 AND partition = ?2 AND last_offset >= ?3 AND first_offset < ?4 ORDER BY first_offset
            """
        )
        defer { select.reset() }
        select.bind(1, topicID).bind(2, partition).bind(3, from).bind(4, upTo)
        var aborted: [StorageReader.AbortedTransaction] = []
        while try select.step() { aborted.append(StorageReader.AbortedTransaction(producerID: select.int64(at: 0), firstOffset: select.int64(at: 1))) }
        return aborted
    }
}
