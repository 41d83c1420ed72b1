import MonologKafkaClient
import MonologRecords
import NIOCore

/// Copies one partition's committed records to the target, in order, one batch at a time: read from
/// where the offset map says the copy stands, write the records as one batch (with the source batches'
/// compression, keys, values, headers and timestamps), and once the target has acknowledged it, record
/// where each record went. Nothing else may write to the target partition meanwhile; that is what
/// makes the target's end offset a reliable account of what was copied when a run is interrupted.
struct PartitionCopier {
    let source: MigrationSource
    let target: MigrationTarget
    let state: MigrationState
    let topic: MigrationSource.Topic
    let partition: Int32
    let pacer: RatePacer

    static let maxChunkBytes = 512 << 10
    static let maxChunkRecords = 10_000

    private var key: MigrationState.PartitionKey { .init(topic: self.topic.name, partition: self.partition) }

    /// Copies up to the source's last stable offset; returns how many records it wrote.
    func copy() async throws -> Int {
        try await self.reconcile()
        var copied = 0
        while true {
            let map = self.state.map(self.key)
            let chunk = try self.source.read(
                self.topic, partition: self.partition, from: map.sourceNext, maxBytes: Self.maxChunkBytes, maxRecords: self.pacer.batchRecords)
            guard !chunk.records.isEmpty else {
                // Markers, aborted records or a compacted gap only: move past them, so that a group
                // committed beyond them translates.
                if chunk.next > map.sourceNext {
                    try self.state.record(self.key, runs: [], sourceNext: chunk.next)
                    continue
                }
                break
            }
            await self.pacer.wait(for: chunk.records.count)
            let base = try await self.write(chunk, expectedBase: map.targetNext)
            try self.state.record(self.key, runs: OffsetMap.runs(sourceOffsets: chunk.records.map(\.offset), targetFirst: base), sourceNext: chunk.next)
            copied += chunk.records.count
        }
        return copied
    }

    /// Writes a chunk as one batch. A failed write may still have landed (a timeout, a connection lost
    /// after the broker appended): the target's end offset tells, and the batch is sent again only
    /// when it did not.
    private func write(_ chunk: MigrationSource.Chunk, expectedBase: Int64) async throws -> Int64 {
        let batch = RecordBatchBuilder.build(chunk.records.map(Self.newRecord), compression: chunk.compression)
        var attempt = 0
        while true {
            do {
                let base = try await self.target.produce(self.topic.name, partition: self.partition, batch: batch)
                guard base == expectedBase else {
                    throw MigrationError(
                        "\(self.key) on the target got offset \(base) where \(expectedBase) was expected: something else writes to it; nothing may write to a topic being migrated"
                    )
                }
                return base
            } catch let failure as MigrationTarget.Failure where failure.code == 10 {
                throw MigrationError("\(self.key): a batch of \(batch.readableBytes) bytes is too large for the target; raise its max.message.bytes")
            } catch let error as MigrationError {
                throw error
            } catch {
                attempt += 1
                guard attempt <= 10 else { throw MigrationError("\(self.key): writing to the target failed 10 times; last: \(error)") }
                self.target.cluster.invalidateRouting()
                try await Task.sleep(for: .milliseconds(min(200 * attempt, 2_000)))
                let end = try await self.target.endOffset(self.topic.name, partition: self.partition)
                if end == expectedBase + Int64(chunk.records.count) { return expectedBase }  // it had landed
                guard end == expectedBase else {
                    throw MigrationError("\(self.key) on the target ends at \(end), neither before nor after the batch being written at \(expectedBase)")
                }
            }
        }
    }

    /// Brings the offset map level with the target before copying: when the target holds records the
    /// map does not know (the run was interrupted after the target acknowledged a batch and before the
    /// map recorded it), they are the next committed source records, in order.
    private func reconcile() async throws {
        let end = try await self.target.endOffset(self.topic.name, partition: self.partition)
        guard self.state.knows(self.key) else {
            guard end == 0 else {
                throw MigrationError("\(self.key) on the target already holds \(end) records that this migration did not write; migrate into new topics")
            }
            // Known from now on, before anything is written: a batch acknowledged and not yet recorded
            // is then recovered below on the next run instead of being taken for someone else's records.
            try self.state.record(self.key, runs: [], sourceNext: 0)
            return
        }
        let map = self.state.map(self.key)
        if end == map.targetNext { return }
        guard end > map.targetNext else {
            throw MigrationError(
                "\(self.key) on the target ends at \(end), below the \(map.targetNext) this migration wrote: it was deleted or truncated; start again with an empty target and a new state file"
            )
        }
        var missing = end - map.targetNext
        var sourceNext = map.sourceNext
        var offsets: [Int64] = []
        while missing > 0 {
            let chunk = try self.source.read(
                self.topic, partition: self.partition, from: sourceNext, maxBytes: Self.maxChunkBytes, maxRecords: Self.maxChunkRecords)
            guard chunk.next > sourceNext || !chunk.records.isEmpty else {
                throw MigrationError("\(self.key) on the target holds \(missing) records more than the source has to give")
            }
            let taken = chunk.records.prefix(Int(missing))
            offsets += taken.map(\.offset)
            missing -= Int64(taken.count)
            sourceNext = taken.count == chunk.records.count ? chunk.next : taken.last!.offset + 1
        }
        try self.state.record(self.key, runs: OffsetMap.runs(sourceOffsets: offsets, targetFirst: map.targetNext), sourceNext: sourceNext)
        MigrationProgress.say("\(self.key): the target held \(offsets.count) records written before an interruption; resuming after them")
    }

    static func newRecord(_ record: Record) -> NewRecord {
        NewRecord(
            key: record.key.map { Array($0.readableBytesView) },
            value: record.value.map { Array($0.readableBytesView) },
            headers: record.headers.map { (key: $0.key, value: $0.value.map { Array($0.readableBytesView) }) },
            timestamp: record.timestamp
        )
    }
}
