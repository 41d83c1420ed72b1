import Foundation
import MonologKafkaProtocol
import MonologTestSupport
import NIOCore
import Testing

/// A fetch parked on an empty partition (max_wait 10 s) is answered as soon as a produce commits (within
/// 50 ms of its acknowledgement; the writer announces a commit before it acknowledges it), not when its
/// wait runs out; and while it waits, the broker's processes use no measurable CPU.
@Suite struct KafkaLongPollTests {
    /// CPU time (user + system) used so far by these processes, from /proc (10 ms resolution).
    static func cpuTime(_ pids: [pid_t]) -> Duration {
        let ticks = pids.reduce(0) { total, pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return total }
            // Fields after the command name: state is field 3, utime 14, stime 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return total + (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
        }
        return .milliseconds(ticks * 1000 / Int(sysconf(Int32(_SC_CLK_TCK))))
    }

    static func emptyPartitionFetch(at offset: Int64) -> FetchRequest {
        var partition = FetchRequest.FetchPartition()
        partition.partition = 0
        partition.fetchOffset = offset
        partition.partitionMaxBytes = 1 << 20
        var topic = FetchRequest.FetchTopic()
        topic.topic = "quiet"
        topic.partitions = [partition]
        var request = FetchRequest()
        request.replicaId = -1
        request.maxWaitMs = 10_000
        request.minBytes = 1
        request.maxBytes = 1 << 20
        request.topics = [topic]
        return request
    }

    @Test func aParkedFetchWakesWithin50msOfACommitAndTheBrokerIdlesMeanwhile() async throws {
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics", #"{"name":"quiet","partitions":1}"#).status == 201)
        let brokerPIDs = ["monolog-kafka-gateway", "monolog-storage-writer"].flatMap { broker.pids(of: $0) }
        #expect(brokerPIDs.count == 2)
        var wakeUps: [Duration] = []
        var idleCPU: [Duration] = []
        // Three rounds: the best shows what the broker does; the others absorb a busy test machine.
        for round in 0..<3 {
            let port = broker.kafkaPort
            async let answered = kafkaExchange(port: port, Self.emptyPartitionFetch(at: Int64(round)), version: 12, as: FetchResponse.self)
                .records(arrivedAt: ContinuousClock.now)
            try await Task.sleep(for: .milliseconds(300))  // the fetch is parked now
            let before = Self.cpuTime(brokerPIDs)
            try await Task.sleep(for: .seconds(1))
            idleCPU.append(Self.cpuTime(brokerPIDs) - before)
            // Measured from the produce's acknowledgement, that is from its commit: the fsync itself
            // is the storage writer's business, and the suite runs many brokers at once.
            #expect(try await blocking { try broker.produce(topic: "quiet", value: "wake up \(round)") } == round)
            let acknowledged = ContinuousClock.now
            let (records, arrived) = try await answered
            #expect(records > 0, "round \(round): the fetch came back empty")
            wakeUps.append(arrived - acknowledged)
        }
        #expect(wakeUps.min()! < .milliseconds(50), "wake-ups after a commit: \(wakeUps)")
        #expect(wakeUps.max()! < .seconds(5), "a fetch waited for its timeout instead of the commit: \(wakeUps)")
        #expect(idleCPU.min()! <= .milliseconds(10), "broker CPU during one idle second with a parked fetch: \(idleCPU)")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}

extension FetchResponse {
    /// Bytes of records in the answer, and when it arrived.
    fileprivate func records(arrivedAt instant: ContinuousClock.Instant) -> (Int, ContinuousClock.Instant) {
        (self.responses.flatMap(\.partitions).reduce(0) { $0 + ($1.records?.readableBytes ?? 0) }, instant)
    }
}
