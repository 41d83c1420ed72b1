import Foundation
import MonologTestSupport
import Testing

/// Consumer groups with the real clients against the real process tree (Tests/Compat/python/groups.py):
/// partitions shared out and taken over when a member leaves, every message read exactly once across
/// the rebalance, commits that a restarted consumer resumes from, static members, the admin clients'
/// view of a group, a Kafka gateway killed under a running consumer, and a rebalance that waits for a
/// member busy processing.
@Suite struct ConsumerGroupCompatTests {
    static let script = PythonClientCompatTests.repositoryRoot + "/Tests/Compat/python/groups.py"

    /// Runs one scenario against a fresh broker with a `partitions`-partition topic; returns its report.
    func run(_ arguments: [String], partitions: Int, timeout: TimeInterval = 240, broker given: Broker? = nil) async throws -> [String: Any] {
        let python = PythonClientCompatTests.python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("no Python with the Kafka clients at \(python): run scripts/install-deps.sh --test")
            return [:]
        }
        let broker: Broker
        if let given { broker = given } else { broker = try await Broker.start() }
        #expect(try await broker.post("/api/topics", #"{"name":"groups","partitions":\#(partitions)}"#).status == 201)
        let all = [Self.script] + arguments + ["--bootstrap", "127.0.0.1:\(broker.kafkaPort)", "--topic", "groups"]
        let output = try await runProcess(python, all, timeout: timeout).standardOutput
        let report = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
        #expect(!report.isEmpty, "no report: \(output)")
        if given == nil {
            #expect(try await broker.stop() == 0)
            broker.removeFiles()
        }
        return report
    }

    /// Three members of one group on six partitions get two each; when one leaves, the other two take
    /// over its partitions well within the session timeout, and 30,000 messages produced meanwhile are
    /// each read exactly once, with commits after processing.
    @Test(arguments: [
        ["--client", "confluent"], ["--client", "kafka-python"], ["--client", "aiokafka"], ["--client", "confluent", "--assignor", "cooperative-sticky"],
    ])
    func threeMembersShareSixPartitionsAndTakeOverWhenOneLeaves(_ client: [String]) async throws {
        let report = try await self.run(["rebalance", "--count", "30000"] + client, partitions: 6)
        let label = client.joined(separator: " ")
        #expect(report["assigned_before"] as? [Int] == [2, 2, 2], "\(label): \(report)")
        #expect(report["assigned_after"] as? [Int] == [3, 3], "\(label): \(report)")
        #expect((report["takeover_seconds"] as? Double ?? 99) < 10, "\(label): the session timeout is 10 s or more: \(report)")
        #expect(report["distinct"] as? Int == 30_000, "\(label): \(report)")
        #expect(report["missing"] as? Int == 0, "\(label): \(report)")
        #expect(report["duplicates"] as? Int == 0, "\(label): \(report)")
        // A commit may meet a rebalance, and Kafka answers as Monolog does: REBALANCE_IN_PROGRESS while
        // the group completes it, ILLEGAL_GENERATION for a commit sent for the generation that a rebalance
        // has just ended (with cooperative-sticky a member keeps consuming, so committing, meanwhile). The
        // member commits those offsets with its next batch or when it gives the partition up, so nothing
        // is read twice; the counts above check that.
        let failures = report["commit_failures"] as? [String] ?? ["missing"]
        let rebalanceErrors = ["REBALANCE_IN_PROGRESS", "RebalanceInProgress", "ILLEGAL_GENERATION", "IllegalGeneration"]
        #expect(failures.allSatisfy { failure in rebalanceErrors.contains { failure.contains($0) } }, "\(label): \(report)")
        #expect(report["errors"] as? [String] == [], "\(label): \(report)")
        #expect(report["produce_failures"] as? Int == 0, "\(label): \(report)")
    }

    /// A consumer commits half the topic and closes; the next one in the group starts where it stopped.
    @Test(arguments: ["confluent", "kafka-python", "aiokafka"])
    func aNewConsumerResumesAtTheCommittedOffset(_ client: String) async throws {
        let report = try await self.run(["resume", "--client", client, "--count", "10000"], partitions: 3)
        #expect(report["first_read"] as? Int == 5_000, "\(client): \(report)")
        #expect(report["second_read"] as? Int == 5_000, "\(client): \(report)")
        #expect(report["distinct"] as? Int == 10_000, "\(client): \(report)")
        #expect(report["duplicates"] as? Int == 0, "\(client): \(report)")
        #expect(report["errors"] as? [String] == [], "\(client): \(report)")
    }

    /// confluent-kafka's AdminClient (and kafka-python's for OffsetDelete) on a group with a member and
    /// without: ListGroups with a state filter, DescribeGroups, OffsetFetch, OffsetDelete, DeleteGroups.
    @Test func adminClientsListDescribeAndDeleteGroups() async throws {
        let report = try await self.run(["admin", "--count", "1000", "--group", "inspected"], partitions: 2)
        #expect(report["read"] as? Bool == true, "\(report)")
        #expect(report["metadata_round_trip"] as? [String] == ["checkpoint-7"], "\(report)")
        #expect(report["multi_group_fetch"] as? [String: [Int]] == ["inspected": [0, 1], "inspected-other": [1]], "\(report)")
        #expect(report["listed_active"] as? String == "STABLE", "\(report)")
        let described = report["described_active"] as? [String: Any] ?? [:]
        #expect(described["state"] as? String == "STABLE", "\(report)")
        #expect(described["members"] as? [[Int]] == [[0, 1]], "\(report)")
        #expect((report["offsets_active"] as? [Int])?.reduce(0, +) == 1000, "\(report)")
        #expect(report["delete_group_active"] as? String == "NON_EMPTY_GROUP", "\(report)")
        #expect(report["delete_offsets_active"] as? String == "GroupSubscribedToTopicError", "\(report)")
        #expect(report["listed_empty"] as? String == "EMPTY", "\(report)")
        #expect(report["listed_stable_filter"] as? Bool == false, "\(report)")
        #expect(report["delete_offsets_empty"] as? String == "NoError", "\(report)")
        #expect((report["offsets_after_delete"] as? [Int])?.first == -1001, "partition 0's offset is gone: \(report)")
        #expect(report["delete_group_empty"] as? String == "ok", "\(report)")
        #expect(report["listed_after_delete"] as? Bool == false, "\(report)")
        #expect((report["described_after_delete"] as? [String: Any])?["state"] as? String == "DEAD", "\(report)")
        #expect(report["delete_group_again"] as? String == "GROUP_ID_NOT_FOUND", "\(report)")
    }

    /// Static membership (KIP-345) with confluent-kafka: a member that restarts under its
    /// `group.instance.id` within the session timeout gets its partitions back, and the other member is
    /// not made to rebalance.
    @Test func aStaticMemberRestartsWithoutARebalance() async throws {
        let report = try await self.run(["static"], partitions: 4)
        #expect(report["first_alone"] as? Bool == true, "\(report)")
        #expect(report["shared"] as? Bool == true, "\(report)")
        #expect(report["restarted_assigned"] as? Bool == true, "\(report)")
        #expect(report["same_partitions"] as? Bool == true, "\(report)")
        #expect(report["other_member_rebalanced"] as? Bool == false, "\(report)")
        #expect(report["errors"] as? [String] == [], "\(report)")
    }

    /// Issue #21 item 5: a rebalance waits for a member that is busy processing. A holds the only
    /// partition, reads one message and then polls nothing for 8 s (longer than its 6 s session) while
    /// its client heartbeats; B joins meanwhile. As in Kafka, the join phase lasts until every known
    /// member has rejoined or the rebalance timeout (`max.poll.interval.ms`, 10 s) passes, and A's
    /// heartbeats (answered REBALANCE_IN_PROGRESS) keep its session, so B gets no message before A polls
    /// again (A can rejoin only then), and gets the partition soon after. Nothing is lost or read twice.
    @Test(arguments: ["confluent", "kafka-python"])
    func issue21_aRebalanceWaitsForAMemberThatIsProcessing(_ client: String) async throws {
        let report = try await self.run(["slow-member", "--client", client, "--pause", "8"], partitions: 1, timeout: 120)
        #expect(report["a_paused"] as? Bool == true, "\(client): \(report)")
        #expect(report["a_resumed"] as? Bool == true, "\(client): \(report)")
        // B joined early in A's pause, so an early rebalance would have had seconds to show.
        #expect((report["b_started_before_a_resumed"] as? Double ?? 0) > 5, "\(client): \(report)")
        #expect(report["b_read_any"] as? Bool == true, "\(client): \(report)")
        let afterResume = report["b_first_after_a_resumed"] as? Double ?? -99
        #expect(afterResume >= 0, "\(client): B read a message \(-afterResume) s before A polled again: \(report)")
        #expect(afterResume < 5, "\(client): the rebalance ends once A rejoins, not at the timeout: \(report)")
        #expect(report["b_partitions"] as? [Int] == [0], "\(client): \(report)")
        #expect((report["produced"] as? Int ?? 0) > 50, "\(client): \(report)")
        #expect(report["missing"] as? Int == 0, "\(client): \(report)")
        #expect(report["duplicates"] as? Int == 0, "\(client): \(report)")
        #expect(report["errors"] as? [String] == [], "\(client): \(report)")
        #expect(report["produce_failures"] as? Int == 0, "\(client): \(report)")
    }

    /// A lone consumer is assigned at once by default; `group.initial.rebalance.delay.ms` makes a new
    /// group wait for more members first.
    @Test(arguments: [(nil, 0.0...2.5), (3_000, 3.0...10.0)] as [(Int?, ClosedRange<Double>)])
    func theInitialRebalanceDelayIsConfigurable(_ delayMs: Int?, _ expected: ClosedRange<Double>) async throws {
        let broker = try await Broker.start(extraArguments: delayMs.map { ["--group-initial-rebalance-delay-ms", "\($0)"] } ?? [])
        let report = try await self.run(["first-assignment", "--client", "confluent"], partitions: 1, broker: broker)
        #expect(report["assigned"] as? Bool == true, "\(report)")
        #expect(expected.contains(report["seconds"] as? Double ?? -1), "\(report)")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    /// The Kafka gateway is killed with SIGKILL under a consuming member. The supervisor restarts it,
    /// the member rejoins by itself and reads the rest, and the committed offsets cover every message.
    @Test func aConsumerCarriesOnAcrossAGatewayRestart() async throws {
        let broker = try await Broker.start()
        let gateway = try #require(broker.pids(of: "monolog-kafka-gateway").first)
        let report = try await self.run(["restart", "--count", "10000", "--kill-pid", "\(gateway)"], partitions: 3, broker: broker)
        #expect(report["first_half_read"] as? Bool == true, "\(report)")
        #expect(report["second_half_read"] as? Bool == true, "\(report)")
        #expect(report["missing"] as? Int == 0, "\(report)")
        #expect(report["committed_total"] as? Int == 10_000, "\(report)")
        #expect(report["errors"] as? [String] == [], "\(report)")
        #expect(broker.pids(of: "monolog-kafka-gateway").first.map { $0 != gateway } == true, "a new gateway runs")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
