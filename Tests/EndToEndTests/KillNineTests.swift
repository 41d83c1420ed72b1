import Foundation
import MonologTestSupport
import Synchronization
import Testing

/// Durability under `kill -9`: an acknowledged message is never lost, and never stored twice.
@Suite struct KillNineTests {
    /// Produce, kill -9 the HTTP gateway, wait for the supervisor to restart it, produce again:
    /// every acknowledged message reads back.
    @Test func httpGatewayKilledIsRestartedAndNothingIsLost() async throws {
        let broker = try await Broker.start()
        let before = try await blocking { try (0..<200).map { try broker.produce(topic: "k", value: "before-\($0)") } }
        #expect(before.allSatisfy { $0 != nil })

        let killed = try broker.kill9("monolog-http-gateway")
        let restarted = try await eventually(timeout: .seconds(30)) {
            let pids = broker.pids(of: "monolog-http-gateway")
            return !pids.isEmpty && !pids.contains(killed)
        }
        #expect(restarted, "the supervisor did not restart the HTTP gateway")
        #expect(try await broker.waitUntilServing())

        let after = try await blocking { try (0..<200).map { try broker.produce(topic: "k", value: "after-\($0)") } }
        #expect(after.allSatisfy { $0 != nil })
        let messages = try await broker.readAll(topic: "k")
        #expect(messages.map(\.value) == (0..<200).map { "before-\($0)" } + (0..<200).map { "after-\($0)" })
        #expect(messages.map(\.offset) == Array(0..<400))
        #expect(broker.log.contains("service exited; restarting"))
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    /// Eight HTTP clients produce unique values while the storage writer is killed with SIGKILL. After
    /// the supervisor restarts it, every value that was acknowledged is present exactly once, at the
    /// offset it was acknowledged with, and offsets have no gaps.
    @Test func storageWriterKilledUnderLoadLosesNothingAcknowledged() async throws {
        let broker = try await Broker.start()
        _ = try await broker.post("/api/topics", #"{"name":"durable","partitions":1}"#)
        let run = ProduceLoopState()

        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<8 {
                group.addTask {
                    try await blocking {
                        var i = 0
                        while !run.stop.load(ordering: .relaxed) {
                            let value = "c\(client)-\(i)"
                            i += 1
                            // A failed or unanswered request is simply not acknowledged; a new value follows.
                            if let offset = try? broker.produce(topic: "durable", value: value) {
                                run.acknowledged.withLock { $0[value] = offset }
                            }
                        }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(800))
                for round in 0..<2 {
                    let killed = try broker.kill9("monolog-storage-writer")
                    let back = try await eventually(timeout: .seconds(30)) {
                        let pids = broker.pids(of: "monolog-storage-writer")
                        return !pids.isEmpty && !pids.contains(killed)
                    }
                    if !back { Issue.record("writer not restarted after kill \(round)") }
                    try await Task.sleep(for: .milliseconds(700))
                }
                run.stop.store(true, ordering: .relaxed)
            }
            try await group.waitForAll()
        }

        let acked = run.acknowledged.withLock { $0 }
        #expect(acked.count > 100, "too few acknowledgements to prove anything: \(acked.count)")
        let messages = try await broker.readAll(topic: "durable")
        #expect(messages.map(\.offset) == Array(0..<messages.count), "offsets are not contiguous")
        var seen: [String: [Int]] = [:]
        for message in messages { seen[message.value ?? "", default: []].append(message.offset) }
        for (value, offset) in acked {
            #expect(seen[value] == [offset], "acknowledged \(value)@\(offset) read back as \(seen[value] ?? [])")
        }
        #expect(seen.values.allSatisfy { $0.count == 1 }, "a value was stored twice")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}

/// Shared by the producing threads and the killer task: what was acknowledged, and when to stop.
final class ProduceLoopState: Sendable {
    let acknowledged = Mutex<[String: Int]>([:])
    let stop = Atomic<Bool>(false)
}
