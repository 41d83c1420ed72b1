import Foundation
import Logging
import MonologRecords
import MonologStorage
import MonologTestSupport
import MonologWriterClient
import MonologWriterProtocol
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// The storage writer is killed with SIGKILL at random moments while eight clients append (two of them
/// idempotent producers that retry a batch until it is acknowledged). After every restart, every
/// acknowledged message is present exactly once, offsets are contiguous and SQLite finds the file intact.
/// `MONOLOG_WRITER_KILL_ROUNDS` sets the number of kills (20 by default; scripts/writer-crash-loop.sh
/// runs hundreds).
@Suite struct WriterCrashTests {
    static let partitions: Int32 = 4

    @Test func randomKillsLoseNothingAcknowledgedAndStoreNothingTwice() async throws {
        let rounds = Int(ProcessInfo.processInfo.environment["MONOLOG_WRITER_KILL_ROUNDS"] ?? "") ?? 20
        let writer = try WriterProcess()
        try await writer.start()
        let admin = Self.client(writer, name: "admin")
        _ = try await admin.send(CreateTopic(name: "crash", partitionCount: Self.partitions, ifNotExists: false))

        let ledger = AckLedger()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<6 {
                group.addTask { await Self.plainProducer(producer, writer: writer, ledger: ledger) }
            }
            for producer in 6..<8 {
                group.addTask { try await Self.idempotentProducer(producer, writer: writer, ledger: ledger) }
            }
            group.addTask {
                var random = SystemRandomNumberGenerator()
                for round in 0..<rounds {
                    try await Task.sleep(for: .milliseconds(Int.random(in: 30...250, using: &random)))
                    try await writer.kill9()
                    try await writer.start()
                    progress("kill \(round + 1)/\(rounds): \(ledger.acknowledged.count) acknowledged")
                }
                ledger.stop()
                progress("producers stopping")
            }
            try await group.waitForAll()
        }

        progress("producers stopped; checking")
        let acked = ledger.acknowledged
        #expect(acked.count > rounds * 5, "too few acknowledgements (\(acked.count)) to prove anything")
        #expect(writer.integrityCheck() == "ok")
        let reader = try StorageReader(directory: DataDirectory(path: writer.dataDirectory))
        let topic = try #require(try reader.topic(named: "crash"))
        var seen: [String: [Int64]] = [:]
        for partition in 0..<Self.partitions {
            let records = try Self.allRecords(reader, topicID: topic.topicID, partition: partition)
            #expect(records.map(\.offset) == Array(0..<Int64(records.count)), "partition \(partition) has gaps")
            for record in records { seen[String(buffer: record.value!), default: []].append(record.offset) }
        }
        for (value, ack) in acked {
            #expect(seen[value] == [ack.offset], "acknowledged \(value)@\(ack.offset) read back as \(seen[value] ?? [])")
        }
        let idempotentValues = seen.filter { $0.key.hasPrefix("p6-") || $0.key.hasPrefix("p7-") }
        #expect(idempotentValues.values.allSatisfy { $0.count == 1 }, "an idempotent producer's retry was stored twice")
        try await writer.stop()
        admin.shutdown()
        writer.removeFiles()
    }

    /// A writer that dies with requests in flight: an idempotent append is sent again on the next
    /// connection and stored once (a committed copy would be recognised and answered with its first
    /// offsets), while a plain append fails as before, since it may have committed. The dying writer is
    /// a stand-in that takes both requests and closes without answering, so the moment is exact.
    @Test func anIdempotentAppendInFlightWhenTheWriterDiesIsSentAgainAndStoredOnce() async throws {
        let writer = try WriterProcess()
        try await writer.start()
        let client = Self.client(writer, name: "resend")
        _ = try await client.send(CreateTopic(name: "resend", partitionCount: 1, ifNotExists: false))
        let producer = try await client.send(InitProducerID())
        func idempotent(_ value: String, sequence: Int32) -> ByteBuffer {
            RecordBatchBuilder.build(
                [NewRecord(key: nil, value: Array(value.utf8), timestamp: 1)],
                producer: ProducerStamp(producerID: producer.id, epoch: producer.epoch, baseSequence: sequence)
            )
        }
        #expect(try await client.send(AppendRecords(topic: "resend", partition: 0, batches: idempotent("a", sequence: 0))).baseOffset == 0)
        try await writer.stop()

        // The next connection meets a writer that takes two requests and dies without answering.
        let dying = try SilentWriter(socketPath: writer.socketPath, requests: 2)
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let resent = client.submit(AppendRecords(topic: "resend", partition: 0, batches: idempotent("b", sequence: 1)), on: loop)
        let plain = client.submit(AppendRecords(topic: "resend", partition: 0, batches: Self.batch("c")), on: loop)
        await dying.waitUntilDead()
        try await writer.start()

        #expect(try await resent.get().baseOffset == 1, "the idempotent append was stored at its next offset")
        #expect(client.resentRequests == 1)
        do {
            _ = try await plain.get()
            Issue.record("a plain append in flight when the writer died was sent again")
        } catch {
            #expect((error as? WriterClientError)?.code == .connectionLost, "\(error)")
        }
        let reader = try StorageReader(directory: DataDirectory(path: writer.dataDirectory))
        let topic = try #require(try reader.topic(named: "resend"))
        let values = try Self.allRecords(reader, topicID: topic.topicID, partition: 0).map { String(buffer: $0.value!) }
        #expect(values == ["a", "b"])
        try await writer.stop()
        client.shutdown()
        writer.removeFiles()
    }

    /// When the database cannot grow (a full disk, here a size quota), appends fail with a storage error
    /// and are not acknowledged; everything acknowledged before stays readable and the file stays intact.
    @Test func aFullDiskGivesAStorageErrorNotAnAckOrACorruptFile() async throws {
        let writer = try WriterProcess(extraArguments: ["--max-database-bytes", "\(3 << 20)"])
        try await writer.start()
        let client = Self.client(writer, name: "filler")
        _ = try await client.send(CreateTopic(name: "full", partitionCount: 1, ifNotExists: false))
        var acknowledged: [Int64] = []
        var failure: WriterClientError?
        for i in 0..<200 {
            let batch = RecordBatchBuilder.build([NewRecord(key: nil, value: [UInt8](repeating: UInt8(i % 256), count: 64 * 1024), timestamp: 1)])
            do {
                acknowledged.append(try await client.send(AppendRecords(topic: "full", partition: 0, batches: batch)).baseOffset)
            } catch {
                failure = error
                break
            }
        }
        let error = try #require(failure, "the quota never filled")
        #expect(error.code == .rejected(.storageFull))
        #expect(error.isRetriable)
        #expect(!acknowledged.isEmpty)
        // The writer still serves, and what was acknowledged is intact.
        #expect(try await client.send(CreateTopic(name: "full", partitionCount: 1, ifNotExists: true)).created == false)
        #expect(writer.integrityCheck() == "ok")
        let reader = try StorageReader(directory: DataDirectory(path: writer.dataDirectory))
        let topic = try #require(try reader.topic(named: "full"))
        #expect(try reader.partitionOffsets(topicID: topic.topicID).first?.highWatermark == Int64(acknowledged.count))
        try await writer.stop()
        client.shutdown()
        writer.removeFiles()
    }

    /// The same with appends large enough that their groups commit on the writer's helper thread while
    /// its loop reads the next ones: nothing unacknowledged is kept, nothing acknowledged is lost.
    @Test func aFullDiskDuringLargeConcurrentAppendsGivesStorageErrors() async throws {
        let writer = try WriterProcess(extraArguments: ["--max-database-bytes", "\(8 << 20)"])
        try await writer.start()
        let client = Self.client(writer, name: "filler")
        _ = try await client.send(CreateTopic(name: "full", partitionCount: 1, ifNotExists: false))
        let batch = RecordBatchBuilder.build([NewRecord(key: nil, value: [UInt8](repeating: 7, count: 300 * 1024), timestamp: 1)])
        let outcomes = await withTaskGroup(of: (acknowledged: Int, failure: (any Error)?).self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var acknowledged = 0
                    for _ in 0..<40 {
                        do {
                            _ = try await client.send(AppendRecords(topic: "full", partition: 0, batches: batch))
                            acknowledged += 1
                        } catch {
                            return (acknowledged, error)
                        }
                    }
                    return (acknowledged, nil)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let failures = outcomes.compactMap { $0.failure as? WriterClientError }
        #expect(!failures.isEmpty, "the quota never filled")
        #expect(failures.count == outcomes.filter { $0.failure != nil }.count)
        #expect(failures.allSatisfy { $0.code == .rejected(.storageFull) })
        #expect(writer.integrityCheck() == "ok")
        let reader = try StorageReader(directory: DataDirectory(path: writer.dataDirectory))
        let topic = try #require(try reader.topic(named: "full"))
        let acknowledged = outcomes.reduce(0) { $0 + $1.acknowledged }
        #expect(acknowledged > 0)
        #expect(try reader.partitionOffsets(topicID: topic.topicID).first?.highWatermark == Int64(acknowledged))
        try await writer.stop()
        client.shutdown()
        writer.removeFiles()
    }

    /// A gateway that subscribed hears of each commit, and hears again after the writer restarts.
    @Test func subscribersHearOfCommitsAcrossWriterRestarts() async throws {
        let writer = try WriterProcess()
        try await writer.start()
        let producer = Self.client(writer, name: "producer")
        _ = try await producer.send(CreateTopic(name: "watched", partitionCount: 1, ifNotExists: false))
        let heard = WatermarkInbox()
        let subscriber = Self.client(writer, name: "subscriber")
        try await subscriber.subscribe { heard.add($0) }
        _ = try await producer.send(AppendRecords(topic: "watched", partition: 0, batches: Self.batch("one")))
        #expect(try await eventually(timeout: .seconds(10)) { heard.highWatermark("watched") == 1 })

        try await writer.kill9()
        try await writer.start()
        // The subscriber reconnects by itself and is told to re-read (it may have missed commits)...
        #expect(try await eventually(timeout: .seconds(10)) { heard.resyncs >= 2 }, "the subscriber did not resubscribe")
        // ...and from then on hears every commit again.
        _ = try await producer.send(AppendRecords(topic: "watched", partition: 0, batches: Self.batch("two")))
        #expect(try await eventually(timeout: .seconds(10)) { heard.highWatermark("watched") == 2 }, "no notification after the restart")
        try await writer.stop()
        producer.shutdown()
        subscriber.shutdown()
        writer.removeFiles()
    }

    /// Every record of a partition, read page by page (one read returns at most 1,000 batches).
    static func allRecords(_ reader: StorageReader, topicID: Int64, partition: Int32) throws -> [Record] {
        var records: [Record] = []
        var next: Int64 = 0
        while true {
            let page = try reader.batches(topicID: topicID, partition: partition, fromOffset: next, maxBytes: 1 << 30)
            guard let last = page.last else { return records }
            records += try page.flatMap { try RecordBatch(validating: $0.bytes).records() }
            next = last.lastOffset + 1
        }
    }

    // MARK: Producers

    static func client(_ writer: WriterProcess, name: String) -> WriterClient {
        var logger = Logger(label: "test.\(name)")
        logger.logLevel = ProcessInfo.processInfo.environment["MONOLOG_TEST_LOG"] == nil ? .info : .trace
        return WriterClient(socketPath: writer.socketPath, clientName: name, connectTimeout: .seconds(30), logger: logger)
    }

    static func batch(_ value: String) -> ByteBuffer {
        RecordBatchBuilder.build([NewRecord(key: nil, value: Array(value.utf8), timestamp: 1)])
    }

    /// Sends unique values; an unanswered one is simply not acknowledged and the next value follows.
    static func plainProducer(_ id: Int, writer: WriterProcess, ledger: AckLedger) async {
        let client = self.client(writer, name: "p\(id)")
        defer { client.shutdown() }
        var i = 0
        while !ledger.stopped {
            let value = "p\(id)-\(i)"
            let partition = Int32(i) % self.partitions
            i += 1
            if let result = try? await client.send(AppendRecords(topic: "crash", partition: partition, batches: self.batch(value))) {
                ledger.record(value, partition: partition, offset: result.baseOffset)
            }
        }
    }

    /// Sends each batch with a producer id and sequence number, retrying the same bytes until the writer
    /// acknowledges it, as a Kafka client with enable.idempotence does.
    static func idempotentProducer(_ id: Int, writer: WriterProcess, ledger: AckLedger) async throws {
        let client = self.client(writer, name: "p\(id)")
        defer { client.shutdown() }
        var producerID: Int64 = -1
        var producerEpoch: Int16 = -1
        while producerID < 0 {
            do {
                let allocated = try await client.send(InitProducerID())
                producerID = allocated.id
                producerEpoch = allocated.epoch
            } catch {
                continue  // the writer is restarting
            }
        }
        let partition = Int32(id) % self.partitions
        var sequence: Int32 = 0
        while !ledger.stopped {
            let value = "p\(id)-\(sequence)"
            let bytes = RecordBatchBuilder.build(
                [NewRecord(key: nil, value: Array(value.utf8), timestamp: 1)],
                producer: ProducerStamp(producerID: producerID, epoch: producerEpoch, baseSequence: sequence)
            )
            var acknowledged = false
            while !acknowledged {
                do {
                    let result = try await client.send(AppendRecords(topic: "crash", partition: partition, batches: bytes))
                    ledger.record(value, partition: partition, offset: result.baseOffset)
                    acknowledged = true
                } catch {
                    guard error.isRetriable else { throw error }
                    // The same batch again: the writer stores it at most once.
                }
            }
            sequence += 1
        }
    }
}

/// What the writer acknowledged, across producer tasks.
final class AckLedger: Sendable {
    struct Ack: Sendable, Hashable {
        var partition: Int32
        var offset: Int64
    }

    private let acks = Mutex<[String: Ack]>([:])
    private let done = Atomic<Bool>(false)

    func record(_ value: String, partition: Int32, offset: Int64) {
        self.acks.withLock { $0[value] = Ack(partition: partition, offset: offset) }
    }

    var acknowledged: [String: Ack] { self.acks.withLock { $0 } }
    var stopped: Bool { self.done.load(ordering: .relaxed) }
    func stop() { self.done.store(true, ordering: .relaxed) }
}

/// Watermarks a subscriber heard, and how many times it was told to re-read.
final class WatermarkInbox: Sendable {
    private let latest = Mutex<[String: Int64]>([:])
    private let resyncCount = Atomic<Int>(0)

    func add(_ notification: WriterNotification) {
        switch notification {
        case .resubscribed: self.resyncCount.add(1, ordering: .relaxed)
        case .watermarks(let watermarks):
            self.latest.withLock { latest in
                for watermark in watermarks { latest[watermark.topic] = watermark.highWatermark }
            }
        case .usersChanged: break
        }
    }

    func highWatermark(_ topic: String) -> Int64? { self.latest.withLock { $0[topic] } }
    var resyncs: Int { self.resyncCount.load(ordering: .relaxed) }
}

/// Progress lines on standard error, for long runs (scripts/writer-crash-loop.sh).
func progress(_ message: String) {
    FileHandle.standardError.write(Data("[writer-crash] \(message)\n".utf8))
}
