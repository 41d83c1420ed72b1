import Foundation
import MonologTestSupport
import Testing

/// Transactions with real clients through the real process tree (Tests/Compat/python/transactions.py):
/// commit and abort with confluent-kafka, kafka-python and aiokafka; read_committed sees exactly the
/// committed records and read_uncommitted every data record; a second producer fences the first; a
/// transaction left open past its timeout is aborted; and a consume-transform-produce loop outputs each
/// input record exactly once across a kill -9 of the Kafka gateway or of the storage writer.
@Suite struct TransactionsCompatTests {
    static var python: String { PythonClientCompatTests.python }
    static let script = PythonClientCompatTests.repositoryRoot + "/Tests/Compat/python/transactions.py"

    static func run(_ broker: Broker, _ arguments: [String], timeout: TimeInterval = 180) async throws -> [String: Any] {
        let run = try await runProcess(Self.python, [Self.script] + arguments + ["--bootstrap", "127.0.0.1:\(broker.kafkaPort)"], timeout: timeout)
        let report = (try? JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8))) as? [String: Any] ?? [:]
        #expect(!report.isEmpty, "no report (exit status \(run.status)): \(run.standardOutput) \(run.standardError.suffix(3000))")
        return report
    }

    static func topic(_ broker: Broker, _ name: String, partitions: Int) async throws {
        #expect(try await broker.post("/api/topics", #"{"name":"\#(name)","partitions":\#(partitions)}"#).status == 201)
    }

    @Test func commitAbortCommitWithConfluentKafka() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("no Python clients at \(Self.python)")
            return
        }
        let broker = try await Broker.start()
        try await Self.topic(broker, "t", partitions: 3)
        let report = try await Self.run(broker, ["basic", "--topic", "t"])
        let committed = (0..<10).map { "a\($0)" } + (0..<10).map { "c\($0)" }
        #expect(report["read_committed"] as? [String] == committed.sorted())
        #expect(report["read_uncommitted"] as? [String] == (committed + (0..<5).map { "b\($0)" }).sorted())
        // 25 records and 9 markers (three transactions over three partitions), none delivered as a message.
        #expect(report["high_watermark_total"] as? Int == 34)
        // Over HTTP the same: every data record by default, the committed ones with read_committed, never
        // a marker; and a reader's next offset passes the markers, to the high watermark.
        var overHTTP: [String: [String]] = [:]
        for isolation in ["read_uncommitted", "read_committed"] {
            for partition in 0..<3 {
                overHTTP[isolation, default: []] += try await broker.readAll(topic: "t", partition: partition, isolation: isolation).compactMap(\.value)
                let end = try await broker.get("/api/topics/t/messages?partition=\(partition)&offset=0&limit=1000&isolation=\(isolation)").json
                #expect(end["next_offset"] as? Int == end["high_watermark"] as? Int, "\(isolation) p\(partition): \(end)")
            }
        }
        #expect(overHTTP["read_committed"]?.sorted() == committed.sorted())
        #expect(overHTTP["read_uncommitted"]?.sorted() == (committed + (0..<5).map { "b\($0)" }).sorted())
        #expect(try await broker.get("/api/topics/t/messages?isolation=serializable").status == 400)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test(arguments: ["kafka-python", "aiokafka"])
    func commitThenAbortWithOtherClients(_ client: String) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("no Python clients at \(Self.python)")
            return
        }
        let broker = try await Broker.start()
        try await Self.topic(broker, "t", partitions: 1)
        let report = try await Self.run(broker, ["clients", "--client", client, "--topic", "t"])
        let prefix = client == "aiokafka" ? "aio" : "kp"
        #expect(report["read_committed"] as? [String] == (0..<5).map { "\(prefix)-commit-\($0)" })
        #expect((report["read_uncommitted"] as? [String])?.count == 10, "\(report)")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test func aSecondProducerFencesTheFirstAndAbortsItsTransaction() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("no Python clients at \(Self.python)")
            return
        }
        let broker = try await Broker.start()
        try await Self.topic(broker, "t", partitions: 1)
        let report = try await Self.run(broker, ["zombie", "--topic", "t"])
        #expect(report["zombie_outcome"] as? String == "_FENCED", "\(report)")
        #expect(report["read_committed"] as? [String] == ["from-the-new-producer"])
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test func aTransactionOpenPastItsTimeoutIsAbortedAndItsProducerFenced() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("no Python clients at \(Self.python)")
            return
        }
        let broker = try await Broker.start(extraArguments: ["--transaction-check-interval-ms", "1000"])
        try await Self.topic(broker, "t", partitions: 1)
        let report = try await Self.run(broker, ["timeout", "--topic", "t"])
        #expect(report["outcome"] as? String == "_FENCED", "\(report)")
        #expect(report["read_committed"] as? [String] == [])
        #expect(report["read_uncommitted"] as? [String] == ["never-committed"])
        #expect(report["high_watermark_total"] as? Int == 2)  // the record and the abort marker
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    /// A group that has read everything committed, with a transaction still open after it: the lag to
    /// the high watermark counts the open transaction's records, the read_committed lag (to the last
    /// stable offset) does not, over HTTP and in /metrics alike.
    @Test func readCommittedLagLeavesOutAnOpenTransaction() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("no Python clients at \(Self.python)")
            return
        }
        let broker = try await Broker.start()
        try await Self.topic(broker, "t", partitions: 1)
        let report = try await Self.run(broker, ["open", "--topic", "t"])
        #expect(report["open"] as? Int == 3)
        let group = try await broker.get("/api/groups/lagging").json
        let partition = try #require((group["offsets"] as? [[String: Any]])?.first, "\(group)")
        #expect(partition["committed_offset"] as? Int == 5)
        #expect(partition["high_watermark"] as? Int == 8)
        #expect(partition["last_stable_offset"] as? Int == 5)
        #expect(partition["lag"] as? Int == 3)
        #expect(partition["read_committed_lag"] as? Int == 0)
        #expect(group["total_read_committed_lag"] as? Int == 0)
        let listed = try await broker.get("/api/groups").json
        let summary = (listed["groups"] as? [[String: Any]])?.first { $0["group"] as? String == "lagging" }
        #expect(summary?["total_lag"] as? Int == 3, "\(listed)")
        #expect(summary?["total_read_committed_lag"] as? Int == 0, "\(listed)")
        let metrics = PrometheusExposition(try await broker.get("/metrics").body)
        #expect(metrics[#"monolog_consumer_group_lag{group="lagging",topic="t",partition="0"}"#] == 3)
        #expect(metrics[#"monolog_consumer_group_read_committed_lag{group="lagging",topic="t",partition="0"}"#] == 0)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    /// 20,000 records through a read-process-write loop that commits its output and its input offsets
    /// in one transaction per batch (send_offsets_to_transaction): the output, read with read_committed,
    /// holds each input exactly once, and the group's committed offsets are the input's ends, also when
    /// the Kafka gateway or the storage writer is killed with -9 in the middle of the run.
    @Test(arguments: [nil, "monolog-kafka-gateway", "monolog-storage-writer"])
    func consumeTransformProduceOutputsEachInputExactlyOnce(killing victim: String?) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("no Python clients at \(Self.python)")
            return
        }
        let broker = try await Broker.start()
        try await Self.topic(broker, "in", partitions: 3)
        try await Self.topic(broker, "out", partitions: 3)
        var arguments = ["ctp", "--input", "in", "--output", "out", "--count", "20000"]
        if victim == "monolog-kafka-gateway" { arguments.append("--no-rebootstrap") }  // see transactions.py
        // About 40 transactions held open 300 ms each: at least 12 s of loop, so the kill lands in the
        // middle of the run even when the test's polling is slowed by the rest of the suite.
        if victim != nil { arguments += ["--pause-ms", "300"] }
        async let running = Self.run(broker, arguments, timeout: 240)
        if let victim {
            // Kill once the loop has committed part of the output (20,000 records and about 40 markers in
            // all), so that the kill lands between or inside its transactions, not before or after them.
            let outputAtKill = try await Self.waitForOutput(broker, atLeast: 3_000)
            #expect(outputAtKill < 20_000, "the run ended before the kill (output \(outputAtKill))")
            try broker.kill9(victim)
        }
        let result = try await running
        let label = victim ?? "no kill"
        #expect(result["output"] as? Int == 20_000, "\(label): \(result)")
        #expect(result["distinct"] as? Int == 20_000, "\(label): \(result)")
        #expect(result["missing"] as? Int == 0, "\(label): \(result)")
        #expect(result["committed"] as? [Int] == result["input_ends"] as? [Int], "\(label): \(result)")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    /// Polls the output topic's high watermarks over HTTP until their sum reaches `count`; returns it.
    static func waitForOutput(_ broker: Broker, atLeast count: Int, within limit: Duration = .seconds(120)) async throws -> Int {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let partitions = (try await broker.get("/api/topics/out").json["partitions"] as? [[String: Any]]) ?? []
            let total = partitions.compactMap { $0["high_watermark"] as? Int }.reduce(0, +)
            if total >= count { return total }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BrokerError(message: "the output never reached \(count) records")
    }
}
