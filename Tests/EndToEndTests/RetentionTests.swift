import Foundation
import MonologTestSupport
import Testing

/// The retention worker, configured from a YAML file, deletes aged batches through the writer.
@Suite struct RetentionTests {
    @Test func oldMessagesAreDeletedAndTheLogStartMoves() async throws {
        let broker = try await Broker.start(
            configYAML: """
                retention:
                  enabled: true
                  max_age: 2s
                  check_interval: 200ms
                """
        )
        for i in 0..<5 { #expect(try await blocking { try broker.produce(topic: "aging", value: "m\(i)") } == i) }
        let emptied = try await eventually(timeout: .seconds(20)) {
            let result = try? Curl.request("GET", broker.baseURL + "/api/topics/aging")
            let partition = (result?.json["partitions"] as? [[String: Any]])?.first
            return partition?["log_start_offset"] as? Int == 5
        }
        #expect(emptied, "retention did not delete the aged messages")
        #expect(try await broker.readAll(topic: "aging").isEmpty)
        // New messages continue from the old offsets.
        #expect(try await blocking { try broker.produce(topic: "aging", value: "fresh") } == 5)
        #expect(broker.log.contains("retention deleted old batches"))
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
