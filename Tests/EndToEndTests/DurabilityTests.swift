import Foundation
import MonologTestSupport
import Testing

/// The durability promise, proven the hard way: confluent-kafka producers (acks=all, idempotence on)
/// write under load while one process of the tree is killed with SIGKILL (the writer, the Kafka
/// gateway, the HTTP gateway, the supervisor itself followed by a new start) or restarted with
/// `monolog-supervisor restart kafka-gateway`. Afterwards every acknowledged message is read back
/// exactly once, the producer saw no delivery error, and `PRAGMA integrity_check` is ok.
/// MONOLOG_DURABILITY_ROUNDS sets the rounds per fault (5 by default); scripts/durability-runs.sh runs
/// 30 and writes docs/durability.md from the JSON lines each round appends to MONOLOG_DURABILITY_REPORT.
@Suite struct DurabilityTests {
    static var rounds: Int { Int(ProcessInfo.processInfo.environment["MONOLOG_DURABILITY_ROUNDS"] ?? "") ?? 5 }

    @Test(arguments: ["storage-writer", "kafka-gateway", "http-gateway", "supervisor", "restart kafka-gateway"])
    func everyAcknowledgedMessageSurvives(_ fault: String) async throws {
        let python = PythonClientCompatTests.python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("no Python with the Kafka clients at \(python): run scripts/install-deps.sh --test")
            return
        }
        let script = PythonClientCompatTests.repositoryRoot + "/Tests/Compat/python/durability.py"
        for round in 1...Self.rounds {
            let broker = try await Broker.start()
            #expect(try await broker.post("/api/topics", #"{"name":"durable","partitions":3}"#).status == 201)
            var arguments = [script, "--bootstrap", "127.0.0.1:\(broker.kafkaPort)", "--topic", "durable", "--seconds", "2.5", "--rate", "1000"]
            // MONOLOG_DURABILITY_DEBUG=eos,msg keeps librdkafka's log of each round next to the broker's.
            if let debug = ProcessInfo.processInfo.environment["MONOLOG_DURABILITY_DEBUG"] {
                arguments += ["--debug", debug, "--log-file", broker.workDirectory + "/producer.log"]
            }
            async let produced = runProcess(python, arguments, timeout: 300)
            // The fault lands at a different moment of the load each round.
            try await Task.sleep(for: .milliseconds(600 + 150 * (round % 8)))
            switch fault {
            case "supervisor":
                try await broker.killSupervisorAndStartAgain()
            case "restart kafka-gateway":
                #expect(try await broker.control(["restart", "kafka-gateway"]).status == 0)
            default:
                try broker.kill9("monolog-" + fault)
            }
            let output = try await produced.standardOutput
            let report = ((try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]).compactMapValues { $0 as? Int }
            #expect(try await broker.stop() == 0, "\(fault) round \(round): the tree did not stop cleanly")
            let integrity = broker.integrityCheck()
            #expect((report["acknowledged"] ?? 0) > 0, "\(fault) round \(round): \(output)")
            #expect(report["lost"] == 0, "\(fault) round \(round): acknowledged messages lost: \(output)")
            #expect(report["duplicates"] == 0, "\(fault) round \(round): messages read twice: \(output)")
            #expect(integrity == "ok", "\(fault) round \(round): \(integrity)")
            #expect(report["failed"] == 0 && report["fatal"] == 0, "\(fault) round \(round): the producer saw errors instead of retrying through: \(output)")
            Self.record(fault: fault, round: round, report: report, integrity: integrity)
            broker.removeFiles()
        }
    }

    /// One JSON line per round for scripts/durability-runs.sh.
    static func record(fault: String, round: Int, report: [String: Int], integrity: String) {
        guard let path = ProcessInfo.processInfo.environment["MONOLOG_DURABILITY_REPORT"] else { return }
        var line: [String: Any] = ["fault": fault, "round": round, "integrity": integrity]
        for (key, value) in report { line[key] = value }
        guard let data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) else { return }
        let handle =
            FileHandle(forWritingAtPath: path)
            ?? {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
                return FileHandle(forWritingAtPath: path)
            }()
        handle?.seekToEndOfFile()
        handle?.write(data + Data("\n".utf8))
        try? handle?.close()
    }
}
