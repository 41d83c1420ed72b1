import Foundation
import MonologKafkaClient
import MonologKafkaProtocol
import MonologTestSupport
import Testing

/// `monolog-supervisor migrate` from one Monolog tree to another, which stands in for a Kafka cluster
/// (it reaches the target through the Kafka protocol only). The source has a compressed topic with
/// headers, a compacted topic with gaps, a topic whose log start is above 0, committed and aborted
/// transactions, and two consumer groups. A run killed halfway and started again copies every committed
/// record exactly once, in order, with keys, values, headers and timestamps; every group's position on
/// the target is where it stood on the source; and --follow carries new records and positions over
/// until it is stopped.
@Suite struct MigrationTests {
    @Test func aMigrationKilledHalfwayResumesAndConsumersContinueWhereTheyWere() async throws {
        let python = PythonClientCompatTests.python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("no Python clients at \(python)")
            return
        }
        let source = try await Broker.start(configYAML: "retention:\n  check_interval: 200ms\n")
        let target = try await Broker.start()
        let sourceKafka = KafkaClusterClient(settings: KafkaClientSettings(bootstrap: [KafkaBrokerAddress(host: "127.0.0.1", port: source.kafkaPort)]))

        // orders: zstd batches with headers, 1,000 records in each of three partitions.
        #expect(try await source.post("/api/topics", #"{"name":"orders","partitions":3,"configs":{"compression.type":"zstd"}}"#).status == 201)
        for round in 0..<30 {
            let messages = (0..<100).map { index in
                let n = round * 100 + index
                return #"{"key":"customer-\#(n % 17)","value":"order-\#(n)","partition":\#(n % 3),"headers":{"trace":"t-\#(n)","source":"shop"}}"#
            }
            #expect(try await source.post("/api/topics/orders/messages", "[" + messages.joined(separator: ",") + "]").status == 200)
        }
        // profiles: compacted; key k(2r) and k(2r+1) are last written in batch r, so each batch keeps two
        // records and the log has gaps.
        #expect(try await source.post("/api/topics", #"{"name":"profiles","partitions":1,"configs":{"cleanup.policy":"compact"}}"#).status == 201)
        for round in 0..<10 {
            let messages = (2 * round..<20).map { #"{"key":"k\#($0)","value":"v\#($0)-\#(round)","partition":0}"# }
            #expect(try await source.post("/api/topics/profiles/messages", "[" + messages.joined(separator: ",") + "]").status == 200)
        }
        let compacted = try await eventuallyAsync { try await source.readAll(topic: "profiles").count == 20 }
        #expect(compacted, "the source never compacted profiles")
        // events: its first 150 records deleted, so its log starts at 150.
        #expect(try await source.post("/api/topics", #"{"name":"events","partitions":1}"#).status == 201)
        for round in 0..<5 {
            let messages = (0..<100).map { #"{"value":"event-\#(round * 100 + $0)"}"# }
            #expect(try await source.post("/api/topics/events/messages", "[" + messages.joined(separator: ",") + "]").status == 200)
        }
        try await Self.deleteRecords(sourceKafka, topic: "events", below: 150)
        // t: three transactions over three partitions, one aborted (Tests/Compat/python/transactions.py).
        #expect(try await source.post("/api/topics", #"{"name":"t","partitions":3}"#).status == 201)
        let transactions = try await runProcess(
            python, [TransactionsCompatTests.script, "basic", "--topic", "t", "--bootstrap", "127.0.0.1:\(source.kafkaPort)"], timeout: 120)
        #expect(transactions.status == 0, "\(transactions.standardError.suffix(2000))")

        // Two groups, with positions inside the data, in a compacted gap, at the log start and past
        // transaction markers.
        let billing: [(String, Int32, Int64)] = [("orders", 0, 400), ("orders", 1, 0), ("orders", 2, 1000), ("profiles", 0, 5), ("events", 0, 250)]
        var audit: [(String, Int32, Int64)] = [("events", 0, 150)]
        for partition in 0..<3 { audit.append(("t", Int32(partition), try await Self.highWatermark(source, "t", partition))) }
        try await Self.commit(sourceKafka, group: "billing", billing)
        try await Self.commit(sourceKafka, group: "audit", audit)

        // A topic with another partition count on the target stops the migration before it copies anything.
        #expect(try await target.post("/api/topics", #"{"name":"profiles","partitions":2}"#).status == 201)
        let refused = try await Self.migrate(source, target, [])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("has 2 partitions on the target and 1 here"), "\(refused.standardError)")
        #expect(try await target.delete("/api/topics/profiles").status == 200)

        // Killed halfway through (500 records a second, so the copy takes several seconds), then run again.
        let statePath = source.workDirectory + "/migration-state.jsonl"
        let interrupted = try Self.startMigrate(source, target, ["--rate", "500", "--state", statePath], output: source.workDirectory + "/migrate-1.log")
        let halfway = try await eventuallyAsync(timeout: .seconds(60)) { try await Self.recordCount(target, "orders") >= 1_000 }
        kill(interrupted.processIdentifier, SIGKILL)
        interrupted.waitUntilExit()
        #expect(halfway, "the migration never got a third of the way")
        let copiedBeforeKill = try await Self.recordCount(target, "orders")
        #expect(copiedBeforeKill < 3_000, "the migration finished before it was killed")
        // A kill between the target's acknowledgement and the state file's fsync leaves records on the
        // target that the state does not know: cut the last recorded batch off the state to be sure the
        // next run meets that case, and recognises those records instead of writing them again.
        try Self.forgetLastCopiedBatch(statePath)
        let resumed = try await Self.migrate(source, target, ["--state", statePath])
        #expect(resumed.status == 0, "\(resumed.standardOutput) \(resumed.standardError)")
        #expect(resumed.standardOutput.contains("done: copied"), "\(resumed.standardOutput)")
        #expect(resumed.standardOutput.contains("written before an interruption; resuming after them"), "\(resumed.standardOutput)")
        print("[migration] killed with \(copiedBeforeKill) orders copied; the run after it said:\n\(resumed.standardOutput)")

        // Every committed record, once, in order, with everything it carries; configs came along.
        let partitions = [("orders", 3), ("profiles", 1), ("events", 1), ("t", 3)]
        for (topic, count) in partitions {
            for partition in 0..<count {
                let expected = try await Self.records(source, topic, partition)
                let copied = try await Self.records(target, topic, partition)
                #expect(Self.difference(copied, expected) == nil, "\(topic)/\(partition)")
            }
        }
        #expect(try await Self.records(source, "t", 0).count + Self.records(source, "t", 1).count + Self.records(source, "t", 2).count == 20)
        let profiles = try await target.get("/api/topics/profiles").json
        #expect((profiles["configs"] as? [String: String])?["cleanup.policy"] == "compact", "\(profiles)")
        let orders = try await target.get("/api/topics/orders").json
        #expect((orders["configs"] as? [String: String])?["compression.type"] == "zstd", "\(orders)")

        // A consumer switched to the target continues exactly where it stood: what it reads from its
        // committed position there is what it had left to read on the source.
        try await Self.expectSamePositions(source, target, group: "billing", billing)
        try await Self.expectSamePositions(source, target, group: "audit", audit)

        // --follow carries new records and a group's new position over; SIGTERM right after the last
        // commit on the source ends it with a final pass that still carries that commit.
        let followLogPath = source.workDirectory + "/migrate-2.log"
        let following = try Self.startMigrate(source, target, ["--follow", "--state", statePath], output: followLogPath)
        let running = try await eventuallyAsync(timeout: .seconds(60)) {
            ((try? String(contentsOfFile: followLogPath, encoding: .utf8)) ?? "").contains("group positions committed")
        }
        #expect(running, "--follow never reported progress")
        let more = (0..<60).map { #"{"key":"late-\#($0)","value":"late-order-\#($0)","partition":0}"# }
        #expect(try await source.post("/api/topics/orders/messages", "[" + more.joined(separator: ",") + "]").status == 200)
        let sourceEnd = try await Self.highWatermark(source, "orders", 0)
        try await Self.commit(sourceKafka, group: "billing", [("orders", 0, sourceEnd)])
        kill(following.processIdentifier, SIGTERM)
        following.waitUntilExit()
        let targetEnd = try await Self.records(source, "orders", 0).count
        #expect(try await Self.committed(target, group: "billing", "orders", 0) == Int64(targetEnd), "the final pass did not carry the last position")
        let followLog = (try? String(contentsOfFile: followLogPath, encoding: .utf8)) ?? ""
        #expect(following.terminationStatus == 0, "\(followLog)")
        #expect(followLog.contains("stopped: copied"), "\(followLog)")
        #expect(Self.difference(try await Self.records(target, "orders", 0), try await Self.records(source, "orders", 0)) == nil)

        await sourceKafka.shutdown()
        #expect(try await source.stop() == 0)
        #expect(try await target.stop() == 0)
        source.removeFiles()
        target.removeFiles()
    }

    /// A target that takes only SASL_SSL: reached with the CA and a SCRAM user given on the command
    /// line, and refused with a clear message when the password is wrong.
    @Test func aTargetBehindSASLSSLIsReachedWithTheGivenCredentials() async throws {
        let work = NSTemporaryDirectory() + "monolog-certs-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let certificates = try await TestCertificates.make(in: work)
        let source = try await Broker.start()
        let target = try await Broker.start(extraArguments: [
            "--kafka-security-protocol", "SASL_SSL", "--tls-cert", certificates.serverCertificate, "--tls-key", certificates.serverKey,
        ])
        _ = try await SecurityTests.addUser(target, "migrator", password: "move it")
        #expect(try await source.post("/api/topics", #"{"name":"secure","partitions":1}"#).status == 201)
        let messages = (0..<10).map { #"{"value":"secret-\#($0)"}"# }
        #expect(try await source.post("/api/topics/secure/messages", "[" + messages.joined(separator: ",") + "]").status == 200)
        let security = [
            "--target-security-protocol", "SASL_SSL", "--target-ca-file", certificates.caCertificate, "--target-sasl-mechanism", "SCRAM-SHA-512",
            "--target-sasl-username", "migrator",
        ]

        let refused = try await Self.migrate(source, target, security + ["--target-sasl-password", "guess"])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("authentication"), "\(refused.standardError)")
        let migrated = try await Self.migrate(source, target, security + ["--target-sasl-password", "move it"])
        #expect(migrated.status == 0, "\(migrated.standardOutput) \(migrated.standardError)")
        #expect(migrated.standardOutput.contains("done: copied 10 records"), "\(migrated.standardOutput)")

        let sasl = KafkaClientSASL(mechanism: .scramSHA512, username: "migrator", password: "move it")
        let settings = KafkaClientSettings(
            bootstrap: [KafkaBrokerAddress(host: "127.0.0.1", port: target.kafkaPort)], tls: KafkaClientTLS(caFile: certificates.caCertificate), sasl: sasl)
        let kafka = KafkaClusterClient(settings: settings)
        var request = ListOffsetsRequest()
        request.replicaId = -1
        var partition = ListOffsetsRequest.ListOffsetsPartition()
        partition.timestamp = -1
        partition.currentLeaderEpoch = -1
        var topic = ListOffsetsRequest.ListOffsetsTopic()
        topic.name = "secure"
        topic.partitions = [partition]
        request.topics = [topic]
        let (answer, _) = try await kafka.connection(toLeaderOf: "secure", partition: 0).send(request)
        #expect(answer.topics.first?.partitions.first?.offset == 10, "\(answer)")
        await kafka.shutdown()
        #expect(try await source.stop() == 0)
        #expect(try await target.stop() == 0)
        source.removeFiles()
        target.removeFiles()
    }

    // MARK: - Helpers

    static func migrate(_ source: Broker, _ target: Broker, _ arguments: [String]) async throws -> ProcessOutput {
        try await source.control(["migrate", "--to", "127.0.0.1:\(target.kafkaPort)"] + arguments)
    }

    static func startMigrate(_ source: Broker, _ target: Broker, _ arguments: [String], output: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Broker.binDirectory + "/monolog-supervisor")
        process.arguments = ["migrate", "--to", "127.0.0.1:\(target.kafkaPort)", "--data-dir", source.dataDirectory] + arguments
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return process
    }

    /// Removes the state file's last line that records copied records.
    static func forgetLastCopiedBatch(_ path: String) throws {
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let last = try #require(lines.lastIndex { !$0.contains(#""runs":[]"#) }, "no copied batch in the state file")
        lines.remove(at: last)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A record as a consumer sees it, without its offset (which differs between the two logs).
    struct Copied {
        var offset: Int
        var content: String
    }

    /// Every committed record of a partition over HTTP, with its key, value, headers and timestamp.
    static func records(_ broker: Broker, _ topic: String, _ partition: Int, from start: Int = 0) async throws -> [Copied] {
        var records: [Copied] = []
        var offset = start
        while true {
            let page = try await broker.get("/api/topics/\(topic)/messages?partition=\(partition)&offset=\(offset)&limit=1000&isolation=read_committed")
            guard page.status == 200, let items = page.json["messages"] as? [[String: Any]], let next = page.json["next_offset"] as? Int else {
                throw BrokerError(message: "reading \(topic)/\(partition) at \(offset): \(page.status) \(page.body)")
            }
            for item in items {
                let headers = (item["headers"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                let content = "\(item["key"] as? String ?? "-")|\(item["value"] as? String ?? "-")|\(headers)|\(item["timestamp"] as? Int ?? -1)"
                records.append(Copied(offset: item["offset"] as? Int ?? -1, content: content))
            }
            if items.isEmpty || next >= (page.json["high_watermark"] as? Int ?? next) { return records }
            offset = next
        }
    }

    /// Where two record lists first differ (nil when they are equal), short enough for a failure message.
    static func difference(_ actual: [Copied], _ expected: [Copied]) -> String? {
        for (index, (a, e)) in zip(actual, expected).enumerated() where a.content != e.content {
            return "record \(index) is \(a.content), expected \(e.content)"
        }
        return actual.count == expected.count ? nil : "\(actual.count) records, expected \(expected.count)"
    }

    static func highWatermark(_ broker: Broker, _ topic: String, _ partition: Int) async throws -> Int64 {
        let partitions = try await broker.get("/api/topics/\(topic)").json["partitions"] as? [[String: Any]] ?? []
        return Int64(partitions.first { $0["partition"] as? Int == partition }?["high_watermark"] as? Int ?? -1)
    }

    static func recordCount(_ broker: Broker, _ topic: String) async throws -> Int {
        let partitions = try await broker.get("/api/topics/\(topic)").json["partitions"] as? [[String: Any]] ?? []
        return partitions.compactMap { $0["high_watermark"] as? Int }.reduce(0, +)
    }

    static func committed(_ broker: Broker, group: String, _ topic: String, _ partition: Int32) async throws -> Int64? {
        let offsets = try await broker.get("/api/groups/\(group)").json["offsets"] as? [[String: Any]] ?? []
        let entry = offsets.first { $0["topic"] as? String == topic && $0["partition"] as? Int == Int(partition) }
        return (entry?["committed_offset"] as? Int).map(Int64.init)
    }

    /// For each position, the records from it on the source (in and above the log start) equal the
    /// records from the translated position on the target.
    static func expectSamePositions(_ source: Broker, _ target: Broker, group: String, _ positions: [(String, Int32, Int64)]) async throws {
        for (topic, partition, offset) in positions {
            let committed = try #require(
                try await Self.committed(target, group: group, topic, partition), "\(group) has no position for \(topic)/\(partition) on the target")
            let left = try await Self.records(source, topic, Int(partition)).filter { $0.offset >= offset }
            let continued = try await Self.records(target, topic, Int(partition), from: Int(committed))
            #expect(Self.difference(continued, left) == nil, "\(group) \(topic)/\(partition) at \(offset) → \(committed)")
        }
    }

    static func commit(_ kafka: KafkaClusterClient, group: String, _ positions: [(String, Int32, Int64)]) async throws {
        var request = OffsetCommitRequest()
        request.groupId = group
        request.generationIdOrMemberEpoch = -1
        request.retentionTimeMs = -1
        request.topics = Dictionary(grouping: positions, by: \.0).map { topic, entries in
            var requested = OffsetCommitRequest.OffsetCommitRequestTopic()
            requested.name = topic
            requested.partitions = entries.map { entry in
                var partition = OffsetCommitRequest.OffsetCommitRequestPartition()
                partition.partitionIndex = entry.1
                partition.committedOffset = entry.2
                partition.committedLeaderEpoch = -1
                partition.commitTimestamp = -1
                return partition
            }
            return requested
        }
        let (response, _) = try await kafka.connection(toCoordinatorOfGroup: group).send(request)
        #expect(response.topics.flatMap(\.partitions).allSatisfy { $0.errorCode == 0 }, "\(response)")
    }

    static func deleteRecords(_ kafka: KafkaClusterClient, topic: String, below offset: Int64) async throws {
        var partition = DeleteRecordsRequest.DeleteRecordsPartition()
        partition.partitionIndex = 0
        partition.offset = offset
        var entry = DeleteRecordsRequest.DeleteRecordsTopic()
        entry.name = topic
        entry.partitions = [partition]
        var request = DeleteRecordsRequest()
        request.topics = [entry]
        request.timeoutMs = 10_000
        let (response, _) = try await kafka.connection(toLeaderOf: topic, partition: 0).send(request)
        #expect(response.topics.first?.partitions.first?.lowWatermark == offset, "\(response)")
    }
}

/// Polls an async condition until it holds or `timeout` passes.
func eventuallyAsync(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return false
}
