import MonologStorage
import NIOCore

/// Consumer groups' committed offsets, written through the writer so they survive any process's death.
extension LogStore {
    /// Stores each offset whose topic and partition exist; returns a result per offset, in order
    /// (nil for stored, otherwise why not).
    public func commitOffsets(group: String, _ offsets: [GroupOffsetCommit], nowMs: Int64) throws(StorageError) -> [StorageError.Code?] {
        try self.flushPartitionStates()
        return try storageOperation {
            let upsert = try self.db.statement(
                """
                INSERT INTO group_offsets (group_id, topic, partition, committed_offset, leader_epoch, metadata, commit_time_ms)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                ON CONFLICT DO UPDATE SET committed_offset = excluded.committed_offset, leader_epoch = excluded.leader_epoch,
                    metadata = excluded.metadata, commit_time_ms = excluded.commit_time_ms
                """
            )
            var results: [StorageError.Code?] = []
            for offset in offsets {
                guard let topic = try self.topic(named: offset.topic) else {
                    results.append(.unknownTopic)
                    continue
                }
                guard offset.partition >= 0, offset.partition < topic.partitionCount else {
                    results.append(.invalidPartition)
                    continue
                }
                upsert.bind(1, group).bind(2, offset.topic).bind(3, offset.partition).bind(4, offset.offset)
                    .bind(5, offset.leaderEpoch).bind(7, nowMs)
                if let metadata = offset.metadata { upsert.bind(6, metadata) }
                try upsert.run()
                results.append(nil)
            }
            return results
        }
    }

    /// Deletes a group's offsets for the given partitions, or all of them when none are given.
    public func deleteGroupOffsets(group: String, partitions: [(topic: String, partition: Int32)]) throws(StorageError) -> Int64 {
        try storageOperation {
            var deleted: Int64 = 0
            if partitions.isEmpty {
                try self.db.statement("DELETE FROM group_offsets WHERE group_id = ?1").bind(1, group).run()
                return Int64(self.db.changes)
            }
            let delete = try self.db.statement("DELETE FROM group_offsets WHERE group_id = ?1 AND topic = ?2 AND partition = ?3")
            for entry in partitions {
                try delete.bind(1, group).bind(2, entry.topic).bind(3, entry.partition).run()
                deleted += Int64(self.db.changes)
            }
            return deleted
        }
    }
}

/// Consumer groups' state as the Kafka gateway's coordinator last stored it (see StoreGroupState).
extension LogStore {
    /// Keeps `state` for `group` unless a newer generation is stored; an empty state forgets the group.
    public func storeGroupState(group: String, generation: Int32, state: ByteBuffer) throws(StorageError) {
        try storageOperation {
            if state.readableBytes == 0 {
                try self.db.statement("DELETE FROM group_states WHERE group_id = ?1 AND generation <= ?2").bind(1, group).bind(2, generation).run()
                return
            }
            try self.db.statement(
                """
                INSERT INTO group_states (group_id, generation, state) VALUES (?1, ?2, ?3)
                ON CONFLICT DO UPDATE SET generation = excluded.generation, state = excluded.state
                WHERE excluded.generation >= group_states.generation
                """
            ).bind(1, group).bind(2, generation).bind(3, state).run()
        }
    }
}
