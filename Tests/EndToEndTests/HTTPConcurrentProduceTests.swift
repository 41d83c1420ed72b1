import Foundation
import MonologTestSupport
import Testing

/// Many HTTP clients producing at once: every message is stored exactly once, each answer names its
/// own offset, no two answers share one, and each partition's offsets run without a gap.
@Suite struct HTTPConcurrentProduceTests {
    struct RefusedProduce: Error {
        var answer: String
    }

    @Test func concurrentProducersLoseNothingAndShareNoOffset() async throws {
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics", #"{"name":"crowd","partitions":3}"#).status == 201)
        let producers = 8
        let perProducer = 60
        let url = broker.baseURL + "/api/topics/crowd/messages"
        // Each producer sends single messages and small batches, alternating.
        let answers = try await withThrowingTaskGroup(of: [(value: String, partition: Int, offset: Int)].self) { group in
            for producer in 0..<producers {
                group.addTask {
                    try await blocking {
                        var acknowledged: [(value: String, partition: Int, offset: Int)] = []
                        var sent = 0
                        var round = 0
                        while sent < perProducer {
                            let count = min(round % 2 == 0 ? 1 : 4, perProducer - sent)
                            round += 1
                            let values = (sent..<sent + count).map { "p\(producer)-m\($0)" }
                            let body =
                                count == 1
                                ? #"{"key":"p\#(producer)","value":"\#(values[0])"}"#
                                : "[" + values.map { #"{"key":"p\#(producer)","value":"\#($0)"}"# }.joined(separator: ",") + "]"
                            let result = try Curl.request("POST", url, body: body)
                            guard result.status == 200 else { throw RefusedProduce(answer: "\(result.status) \(result.body)") }
                            let offsets: [[String: Any]] = count == 1 ? [result.json] : result.json["results"] as? [[String: Any]] ?? []
                            for (value, answer) in zip(values, offsets) {
                                acknowledged.append((value, answer["partition"] as? Int ?? -1, answer["offset"] as? Int ?? -1))
                            }
                            sent += count
                        }
                        return acknowledged
                    }
                }
            }
            var all: [(value: String, partition: Int, offset: Int)] = []
            for try await answers in group { all += answers }
            return all
        }
        #expect(answers.count == producers * perProducer)
        // No two acknowledgements share a partition and offset.
        let positions = Set(answers.map { "\($0.partition)/\($0.offset)" })
        #expect(positions.count == answers.count)
        // Reading back: every acknowledged message exactly once, where its answer said.
        var stored: [String: String] = [:]
        for partition in 0..<3 {
            var offset = 0
            while true {
                let page = try await broker.get("/api/topics/crowd/messages?partition=\(partition)&offset=\(offset)&limit=1000")
                let messages = page.json["messages"] as? [[String: Any]] ?? []
                if messages.isEmpty { break }
                for message in messages {
                    let at = message["offset"] as? Int ?? -1
                    #expect(at == offset, "partition \(partition) has a gap or repeat at \(offset)")
                    stored["\(partition)/\(at)"] = message["value"] as? String
                    offset = at + 1
                }
            }
        }
        #expect(stored.count == answers.count)
        for answer in answers {
            #expect(stored["\(answer.partition)/\(answer.offset)"] == answer.value)
        }
        // One key goes to one partition, in the order it was sent.
        for producer in 0..<producers {
            let mine = answers.filter { $0.value.hasPrefix("p\(producer)-") }
            let offsets = mine.map { $0.offset }
            #expect(Set(mine.map { $0.partition }).count == 1)
            #expect(offsets == offsets.sorted())
        }
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
