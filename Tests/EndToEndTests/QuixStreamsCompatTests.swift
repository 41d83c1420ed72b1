import Foundation
import MonologTestSupport
import Testing

/// Exactly-once with a real stream-processing framework (Tests/Compat/python/quixstreams_counts.py): a
/// quixstreams application with `processing_guarantee="exactly-once"` counts 10,000 events per key in
/// its RocksDB state, backed by a changelog topic it creates, and writes each new count out. It is
/// killed with -9 and started again once 3,000 counts are out, and the Kafka gateway is restarted once
/// 6,000 are; every key's counts, read with read_committed, are still exactly 1 to 200, each once.
@Suite struct QuixStreamsCompatTests {
    /// quixstreams pins an older confluent-kafka than the other scripts use, so it has a venv of its own
    /// (scripts/install-deps.sh --test makes it).
    static var python: String {
        ProcessInfo.processInfo.environment["MONOLOG_QUIXSTREAMS_PYTHON"]
            ?? PythonClientCompatTests.repositoryRoot + "/.venv-quixstreams/bin/python"
    }
    static let script = PythonClientCompatTests.repositoryRoot + "/Tests/Compat/python/quixstreams_counts.py"

    @Test func statefulCountsAreExactAcrossAKilledApplicationAndAGatewayRestart() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("no quixstreams at \(Self.python)")
            return
        }
        let broker = try await Broker.start()
        for topic in ["events", "counts"] {
            #expect(try await broker.post("/api/topics", #"{"name":"\#(topic)","partitions":3}"#).status == 201)
        }
        let restart = "'\(Broker.binDirectory)/monolog-supervisor' restart kafka-gateway --data-dir '\(broker.dataDirectory)'"
        let arguments = [
            Self.script, "driver", "--bootstrap", "127.0.0.1:\(broker.kafkaPort)", "--input", "events", "--output", "counts",
            "--events", "10000", "--keys", "50", "--state-dir", broker.workDirectory + "/quix-state",
            "--kill-at", "3000", "--restart-at", "6000", "--restart-command", restart, "--log", broker.workDirectory + "/quixstreams.log",
        ]
        let started = ContinuousClock.now
        let output = try await runProcess(Self.python, arguments, timeout: 300).standardOutput
        // For CI's log: how long the run took, and where the application's own log is while the work
        // directory is kept (a run with wrong counts keeps it).
        FileHandle.standardError.write(
            Data("[quixstreams] driver done after \(ContinuousClock.now - started) (log: \(broker.workDirectory)/quixstreams.log): \(output)\n".utf8))
        let report = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
        #expect(report["outputs"] as? Int == 10_000, "\(report.isEmpty ? output : "\(report)")")
        #expect(report["keys"] as? Int == 50, "\(report)")
        #expect(report["exact_keys"] as? Int == 50, "\(report)")
        // Both faults landed while the application was still counting.
        #expect((report["killed_at"] as? Int).map { $0 < 10_000 } == true, "\(report)")
        #expect((report["restarted_at"] as? Int).map { $0 < 10_000 } == true, "\(report)")
        #expect(try await broker.stop() == 0)
        if report["exact_keys"] as? Int == 50 { broker.removeFiles() }
    }
}
