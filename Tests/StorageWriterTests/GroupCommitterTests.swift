import Foundation
import Logging
import MonologRecords
import MonologStorage
import MonologStorageEngine
import MonologWriterProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import StorageWriter

/// The group committer against a real database: concurrent appends all land once, offsets are
/// contiguous, and one request's mistake does not fail the others in its group.
@Suite struct GroupCommitterTests {
    let directory: DataDirectory
    let committer: GroupCommitter
    let watermarks = WatermarkLog()

    init() throws {
        let path = NSTemporaryDirectory() + "monolog-writer-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.directory = DataDirectory(path: path)
        let watermarks = self.watermarks
        self.committer = GroupCommitter(
            connection: try SQLiteConnection.openForWriting(self.directory),
            databasePath: self.directory.databasePath,
            maxGroupBytes: 64 << 20,
            eventLoop: MultiThreadedEventLoopGroup.singleton.next(),
            logger: Logger(label: "test"),
            onWatermarks: { watermarks.append($0) }
        )
    }

    func submit(_ command: any StorageCommand) async -> WriterAnswer {
        await withCheckedContinuation { continuation in
            self.committer.submit(command) { continuation.resume(returning: $0) }
        }
    }

    func append(_ value: String, partition: Int32 = 0, topic: String = "t") -> AppendRecords {
        let bytes = RecordBatchBuilder.build([NewRecord(key: nil, value: Array(value.utf8), timestamp: 1)])
        return AppendRecords(topic: topic, partition: partition, batches: bytes)
    }

    static let createT = CreateTopic(name: "t", partitionCount: 1, ifNotExists: false)

    @Test func concurrentAppendsGetUniqueContiguousOffsets() async throws {
        _ = await self.submit(Self.createT)
        let offsets = await withTaskGroup(of: Int64?.self) { group in
            for i in 0..<400 {
                group.addTask {
                    return await self.submit(self.append("m\(i)")).appended?.baseOffset
                }
            }
            var offsets: [Int64] = []
            for await offset in group { if let offset { offsets.append(offset) } }
            return offsets
        }
        #expect(offsets.sorted() == Array(0..<400))
        // Subscribers hear of every commit: the last watermark reported is the final high watermark.
        #expect(self.watermarks.all.last?.highWatermark == 400)
        await self.committer.stopAndDrain()
    }

    /// A group of large appends commits on the helper thread; the appends that arrive meanwhile wait,
    /// and, being large too, are applied and committed on the helper thread as the next group. Every
    /// append lands once, at contiguous offsets, the first group before the second.
    @Test func largeGroupsCommitOffTheLoopAndLoseNothing() async throws {
        _ = await self.submit(Self.createT)
        let answers = Mutex<[Int: Int64]>([:])
        let allAnswered = AsyncStream.makeStream(of: Void.self)
        let large = self.append(String(repeating: "x", count: 200 * 1024))
        let committer = self.committer
        @Sendable func submit(_ index: Int) {
            committer.submit(large) { response in
                guard let base = response.appended?.baseOffset else { return allAnswered.continuation.finish() }
                if answers.withLock({
                    $0[index] = base
                    return $0.count
                }) == 12 {
                    allAnswered.continuation.finish()
                }
            }
        }
        // The first four are applied in one loop task; the commit check queued by the first of them runs
        // next and starts the commit; the task queued after it sends the other eight during that commit.
        committer.eventLoop.execute {
            for index in 0..<4 { submit(index) }
            committer.eventLoop.execute { for index in 4..<12 { submit(index) } }
        }
        for await _ in allAnswered.stream {}
        let offsets = answers.withLock { $0 }
        #expect(offsets.count == 12)
        #expect(offsets.values.sorted() == Array(0..<12))
        #expect((0..<4).map { offsets[$0] ?? -1 }.max()! < (4..<12).map { offsets[$0] ?? -1 }.min()!)
        #expect(self.watermarks.all.last?.highWatermark == 12)
        await self.committer.stopAndDrain()
    }

    /// While a group commits on the helper thread, the writer stops reading once what arrived meanwhile
    /// reaches `maxGroupBytes`, and reads again when the commit is done.
    @Test func readingPausesWhileTooMuchWaitsForAnOffLoopCommit() async throws {
        let committer = GroupCommitter(
            connection: try SQLiteConnection.openForWriting(self.directory),
            databasePath: self.directory.databasePath,
            maxGroupBytes: 1 << 20,
            eventLoop: MultiThreadedEventLoopGroup.singleton.next(),
            logger: Logger(label: "test")
        )
        await self.committer.stopAndDrain()  // the suite's own, on the same file
        _ = await withCheckedContinuation { continuation in
            committer.submit(Self.createT) { continuation.resume(returning: $0) }
        }
        let pausedAfterArrivals = Mutex<Bool?>(nil)
        let answered = Mutex(0)
        let allAnswered = AsyncStream.makeStream(of: Void.self)
        let large = self.append(String(repeating: "x", count: 200 * 1024))
        @Sendable func submit() {
            committer.submit(large) { _ in
                if answered.withLock({
                    $0 += 1
                    return $0
                }) == 12 {
                    allAnswered.continuation.finish()
                }
            }
        }
        committer.eventLoop.execute {
            for _ in 0..<4 { submit() }  // 800 KB: committed on the helper thread
            committer.eventLoop.execute {
                for _ in 0..<8 { submit() }  // 1.6 MB arrive meanwhile: over the limit
                pausedAfterArrivals.withLock { $0 = committer.readGate.paused }
            }
        }
        for await _ in allAnswered.stream {}
        #expect(pausedAfterArrivals.withLock { $0 } == true)
        #expect(try await committer.eventLoop.submit { committer.readGate.paused }.get() == false)
        await committer.stopAndDrain()
    }

    @Test func aBadRequestDoesNotFailItsGroup() async throws {
        _ = await self.submit(Self.createT)
        async let good1 = self.submit(self.append("a"))
        async let bad = self.submit(self.append("b", topic: "missing"))
        async let badPartition = self.submit(self.append("c", partition: 5))
        async let good2 = self.submit(self.append("d"))
        let results = await [good1, bad, badPartition, good2]
        #expect(results.filter { $0.appended != nil }.count == 2)
        #expect(results[1].refusal == .unknownTopic)
        #expect(results[2].refusal == .invalidPartition)
        let reader = try StorageReader(directory: self.directory)
        let topic = try #require(try reader.topic(named: "t"))
        #expect(try reader.partitionOffsets(topicID: topic.topicID).first?.highWatermark == 2)
        await self.committer.stopAndDrain()
    }

    @Test func stoppingCommitsTheWritesAlreadyReceived() async throws {
        _ = await self.submit(Self.createT)
        let answers = Mutex<[WriterAnswer]>([])
        let allAnswered = AsyncStream.makeStream(of: Void.self)
        for i in 0..<20 {
            self.committer.submit(self.append("m\(i)")) { response in
                if answers.withLock({
                    $0.append(response)
                    return $0.count
                }) == 20 {
                    allAnswered.continuation.finish()
                }
            }
        }
        await self.committer.stopAndDrain()
        for await _ in allAnswered.stream {}
        let appended = answers.withLock { $0 }.filter { $0.appended != nil }
        #expect(appended.count == 20)
        let reader = try StorageReader(directory: self.directory)
        let topic = try #require(try reader.topic(named: "t"))
        #expect(try reader.partitionOffsets(topicID: topic.topicID).first?.highWatermark == 20)
    }

    @Test func afterStopNewWritesAreRefusedAsShuttingDown() async throws {
        await self.committer.stopAndDrain()
        #expect(await self.submit(DeleteTopic(name: "t")).refusal == .shuttingDown)
    }
}

/// Watermarks the committer reported, collected across threads.
final class WatermarkLog: Sendable {
    private let reported = Mutex<[PartitionWatermark]>([])
    func append(_ watermarks: [PartitionWatermark]) { self.reported.withLock { $0 += watermarks } }
    var all: [PartitionWatermark] { self.reported.withLock { $0 } }
}

extension WriterAnswer {
    /// The append's reply, if this answers an append that succeeded.
    var appended: AppendRecords.Reply? {
        guard case .reply(_, let reply) = self else { return nil }
        return reply as? AppendRecords.Reply
    }

    /// The refusal's code, if the request was refused.
    var refusal: WriterErrorCode? {
        guard case .refused(let error) = self else { return nil }
        return error.code
    }
}
