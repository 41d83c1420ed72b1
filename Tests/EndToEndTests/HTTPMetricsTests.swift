import Foundation
import MonologTestSupport
import Testing

/// `/metrics` shows the whole broker in Prometheus text format, each figure reported by the process
/// that holds it: the writer's messages in and commit times, the Kafka gateway's fetches and latency,
/// the HTTP gateway's consumes, and consumer lag. A process that does not answer shows as down.
@Suite struct HTTPMetricsTests {
    @Test func metricsCoverEveryProcessAndMatchWhatHappened() async throws {
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics", #"{"name":"metered","partitions":1}"#).status == 201)
        // 20 messages over HTTP in one request, 10 with kcat over Kafka.
        let batch = "[" + (0..<20).map { #"{"value":"h\#($0)"}"# }.joined(separator: ",") + "]"
        #expect(try await broker.post("/api/topics/metered/messages", batch).status == 200)
        let lines = (0..<10).map { "k\($0)" }.joined(separator: "\n") + "\n"
        let produced = try await runProcess("/usr/bin/kcat", ["-b", "127.0.0.1:\(broker.kafkaPort)", "-P", "-t", "metered"], input: lines)
        #expect(produced.status == 0)
        // A kcat group consumer reads all 30 over Kafka and commits; then 4 more arrive: lag 4.
        let consumed = try await runProcess(
            "/usr/bin/kcat",
            ["-b", "127.0.0.1:\(broker.kafkaPort)", "-G", "metrics-view", "-o", "beginning", "-e", "-X", "auto.commit.interval.ms=100", "metered"],
            timeout: 60
        )
        #expect(consumed.standardOutput.split(separator: "\n").count == 30, "\(consumed.standardOutput)")
        #expect(try await broker.post("/api/topics/metered/messages", #"[{"value":"a"},{"value":"b"},{"value":"c"},{"value":"d"}]"#).status == 200)
        // All 34 read back over HTTP.
        let read = try await broker.get("/api/topics/metered/messages?limit=1000")
        #expect((read.json["messages"] as? [Any])?.count == 34)

        let scraped = try await broker.get("/metrics")
        #expect(scraped.status == 200)
        #expect(scraped.contentType?.hasPrefix("text/plain") == true, "\(scraped.contentType ?? "none")")
        let metrics = PrometheusExposition(scraped.body)
        // A valid exposition: each family typed once, and explained.
        #expect(metrics.types.values.allSatisfy { $0 == 1 }, "\(metrics.types.filter { $0.value > 1 })")
        #expect(metrics.help.contains("monolog_writer_messages_in_total"))
        #expect(metrics.help.contains("monolog_consumer_group_lag"))

        // The writer: 34 records in, their bytes, and at least one group commit with its fsync.
        #expect(metrics[#"monolog_writer_messages_in_total{topic="metered"}"#] == 34, "\(scraped.body)")
        // At least three batches (61-byte headers) carrying 34 values of two bytes or more.
        #expect((metrics[#"monolog_writer_bytes_in_total{topic="metered"}"#] ?? 0) >= 3 * 61 + 34 * 2)
        #expect((metrics["monolog_writer_commit_requests_count"] ?? 0) >= 3)
        #expect((metrics["monolog_writer_fsync_duration_seconds_count"] ?? 0) >= 3)
        #expect((metrics[#"monolog_writer_fsync_duration_seconds_bucket{le="+Inf"}"#] ?? 0) >= 3)
        #expect((metrics["monolog_writer_connections"] ?? 0) >= 2)  // both gateways at least
        // The Kafka gateway: Fetch returned the 30 records; Produce and Fetch were timed.
        #expect((metrics[#"monolog_kafka_messages_out_total{topic="metered"}"#] ?? 0) >= 30)
        #expect((metrics[#"monolog_kafka_request_duration_seconds_count{api="Produce"}"#] ?? 0) >= 1)
        #expect((metrics[#"monolog_kafka_request_duration_seconds_count{api="Fetch"}"#] ?? 0) >= 1)
        #expect((metrics["monolog_kafka_connections_opened_total"] ?? 0) >= 2)
        #expect(metrics[#"monolog_kafka_groups{state="Empty"}"#] == 1, "the group kcat left")
        // The HTTP gateway: two produce requests, one consume of 34 messages.
        #expect(metrics[#"monolog_http_request_duration_seconds_count{operation="produce"}"#] == 2)
        #expect(metrics[#"monolog_http_request_duration_seconds_count{operation="consume"}"#] == 1)
        #expect(metrics[#"monolog_http_messages_out_total{topic="metered"}"#] == 34)
        // Derived from the database: the group's lag.
        #expect(metrics[#"monolog_consumer_group_lag{group="metrics-view",topic="metered",partition="0"}"#] == 4)
        for process in ["http-gateway", "writer", "kafka-gateway"] {
            #expect(metrics[#"monolog_process_up{process="\#(process)"}"#] == 1, "\(process)")
        }

        // A stopped Kafka gateway does not hang the scrape: it shows as down, the rest still reports.
        let gateway = try #require(broker.pids(of: "monolog-kafka-gateway").first)
        #expect(try await stopProcess(gateway), "the Kafka gateway did not stop")
        let started = ContinuousClock.now
        let whileStopped = PrometheusExposition(try await broker.get("/metrics").body)
        kill(gateway, SIGCONT)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(whileStopped[#"monolog_process_up{process="kafka-gateway"}"#] == 0)
        #expect(whileStopped[#"monolog_writer_messages_in_total{topic="metered"}"#] == 34)
        #expect(whileStopped[#"monolog_kafka_messages_out_total{topic="metered"}"#] == nil)

        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
