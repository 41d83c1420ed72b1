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
    let producer: IdempotentProducer

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
            if chunk.start > map.sourceNext && map.targetNext > 0 {
                MigrationProgress.warn(
                    "\(self.key): offsets \(map.sourceNext) to \(chunk.start - 1) were deleted on the source (retention or DeleteRecords) before they were copied"
                )
            }
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

    /// Writes a chunk as one batch with the idempotent producer's stamp. A failed attempt is sent again
    /// byte for byte: if an earlier one had reached the target's log, the target recognises its sequence
    /// and does not append it twice. Only when the target no longer knows the producer does its end
    /// offset decide whether the batch landed, before the batch is stamped anew.
    private func write(_ chunk: MigrationSource.Chunk, expectedBase: Int64) async throws -> Int64 {
        let count = chunk.records.count
        var attempt = 0
        while true {
            let stamp = try await self.producer.stamp(for: self.key)
            let batch = RecordBatchBuilder.build(chunk.records.map(Self.newRecord), compression: chunk.compression, producer: stamp)
            sending: while true {
                do {
                    let base = try await self.target.produce(self.topic.name, partition: self.partition, batch: batch)
                    self.producer.acknowledged(self.key, count: count)
                    guard base == expectedBase else {
                        throw MigrationError(
                            "\(self.key) on the target got offset \(base) where \(expectedBase) was expected: something else writes to it; nothing may write to a topic being migrated"
                        )
                    }
                    return base
                } catch let failure as MigrationTarget.Failure where failure.code == Self.duplicateSequence {
                    // An earlier attempt of this very batch was kept.
                    self.producer.acknowledged(self.key, count: count)
                    return expectedBase
                } catch let failure as MigrationTarget.Failure where failure.code == Self.messageTooLarge {
                    throw MigrationError("\(self.key): a batch of \(batch.readableBytes) bytes is too large for the target; raise its max.message.bytes")
                } catch let error as MigrationError {
                    throw error
                } catch let failure as MigrationTarget.Failure where Self.producerLost.contains(failure.code) {
                    break sending  // below: a new producer id, once the target's end says whether the batch landed
                } catch let failure as MigrationTarget.Failure where !failure.retriable {
                    throw MigrationError("\(self.key): \(failure)")  // refused for good (authorization, a bad record, …)
                } catch {
                    // The producer and its sequence stay: the next attempt, or the next pass of a
                    // following run, sends this same batch again.
                    attempt += 1
                    guard attempt < 10 else { throw error }
                    self.target.cluster.invalidateRouting()
                    try await Task.sleep(for: .milliseconds(min(200 * attempt, 2_000)))
                }
            }
            self.producer.reset()
            let end = try await self.target.endOffset(self.topic.name, partition: self.partition)
            if end == expectedBase + Int64(count) { return expectedBase }
            guard end == expectedBase else {
                throw MigrationError("\(self.key) on the target ends at \(end), neither before nor after the batch being written at \(expectedBase)")
            }
        }
    }

    static let messageTooLarge: Int16 = 10
    static let duplicateSequence: Int16 = 46
    /// OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, UNKNOWN_PRODUCER_ID: the target lost track
    /// of the producer (its state expired, or it was fenced).
    static let producerLost: Set<Int16> = [45, 47, 59]

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
        // Only the batch in flight when a run stopped can be missing from the map: more means that
        // something else wrote to the partition.
        guard missing <= Int64(Self.maxChunkRecords) else {
            throw MigrationError(
                "\(self.key) on the target holds \(missing) records more than this migration recorded: something else wrote to it; nothing may write to a topic being migrated"
            )
        }
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
