import Foundation
import Logging
import MonologProcess
import MonologRecords
import MonologWriterClient
import MonologWriterProtocol
import NIOCore
import NIOPosix

/// The original design's method through the writer client library the gateways use: N clients, each
/// its own `WriterClient` connection and a chain of futures on an event loop, each appending one
/// 512-byte message and waiting for its acknowledgement (fsynced) before sending the next.
enum GroupCommitScenario {
    static func run(socketPath: String, clients: Int, partitions: Int32, duration: Duration) async throws -> ScenarioResult {
        // One batch, built once: the writer assigns offsets to its own copy, and building a batch is
        // the client's work, not the writer's.
        let batch = RecordBatchBuilder.build([NewRecord(key: nil, value: [UInt8](repeating: 0x42, count: 512), timestamp: 1)])
        let deadline = ContinuousClock.now + duration
        let started = ContinuousClock.now
        // Each client is a chain of futures on an event loop, as the gateways' handlers use the writer:
        // send, wait for the ack, send the next.
        let group = MultiThreadedEventLoopGroup.singleton
        var finished: [EventLoopFuture<[Double]>] = []
        var writers: [WriterClient] = []
        for client in 0..<clients {
            let writer = WriterClient(socketPath: socketPath, clientName: "bench-\(client)", logger: Logger(label: "bench"))
            writers.append(writer)
            _ = try await writer.send(CreateTopic(name: "bench", partitionCount: partitions, ifNotExists: true))  // connects
            let loop = group.next()
            let done = loop.makePromise(of: [Double].self)
            let latencies = try await loop.submit { NIOLoopBoundBox([Double](), eventLoop: loop) }.get()
            @Sendable func sendNext() {
                guard ContinuousClock.now < deadline else {
                    done.succeed(latencies.value)
                    return
                }
                let sent = ContinuousClock.now
                writer.submit(AppendRecords(topic: "bench", partition: Int32(client) % partitions, batches: batch), on: loop).whenComplete { result in
                    guard case .success = result else {
                        done.fail(WriterClientError(.unexpectedResponse, "append failed: \(result)"))
                        return
                    }
                    latencies.value.append((ContinuousClock.now - sent).inSeconds * 1000)
                    sendNext()
                }
            }
            loop.execute { sendNext() }
            finished.append(done.futureResult)
        }
        var perClient: [[Double]] = []
        for future in finished { perClient.append(try await future.get()) }
        for writer in writers { writer.shutdown() }
        let all = perClient.flatMap { $0 }
        return ScenarioResult(messagesPerSecond: Double(all.count) / (ContinuousClock.now - started).inSeconds, latenciesMs: all)
    }
}
