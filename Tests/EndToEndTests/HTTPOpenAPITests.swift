import Foundation
import MonologTestSupport
import Testing

/// `/api/openapi.json` is valid JSON describing OpenAPI 3.1, every route the gateway serves is in it,
/// and every operation it lists answers on the real gateway with one of the statuses it documents
/// (deletion last, on a topic of its own).
@Suite struct HTTPOpenAPITests {
    @Test func everyDocumentedOperationAnswersAsDocumented() async throws {
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics", #"{"name":"probe","partitions":1}"#).status == 201)
        let served = try await broker.get("/api/openapi.json")
        #expect(served.status == 200)
        let document = served.json
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        // Every route the gateway serves is in the document.
        let listed = try await runProcess(Broker.binDirectory + "/monolog-http-gateway", ["--list-routes", "--data-dir", broker.dataDirectory])
        #expect(listed.status == 0)
        let routes = listed.standardOutput.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1).map(String.init) }
        #expect(routes.count >= 15, "\(listed.standardOutput)")
        for route in routes where route.count == 2 {
            #expect(paths[route[1]]?[route[0].lowercased()] != nil, "\(route[0]) \(route[1]) is served but not in /api/openapi.json")
        }
        var operations: [(method: String, path: String, statuses: Set<Int>)] = []
        for (path, item) in paths {
            for method in ["get", "post", "delete"] {
                guard let operation = item[method] as? [String: Any], let responses = operation["responses"] as? [String: Any] else { continue }
                operations.append((method.uppercased(), path, Set(responses.keys.compactMap(Int.init))))
            }
        }
        #expect(operations.count >= 15, "\(operations.map { "\($0.method) \($0.path)" })")
        // Deletion last, so the other calls find the topic.
        for operation in operations.sorted(by: { ($0.method == "DELETE" ? 1 : 0, $0.path) < ($1.method == "DELETE" ? 1 : 0, $1.path) }) {
            let path = operation.path.replacingOccurrences(of: "{topic}", with: "probe").replacingOccurrences(of: "{group}", with: "nobody")
            let body: String? =
                switch (operation.method, operation.path) {
                case ("POST", "/api/topics"): #"{"name":"probe-created"}"#
                case ("POST", _): #"{"value":"x"}"#
                default: nil
                }
            let url = broker.baseURL + path
            let method = operation.method
            let answer = try await blocking { try Curl.request(method, url, body: body) }
            #expect(
                operation.statuses.contains(answer.status),
                "\(method) \(operation.path) answered \(answer.status), not one of \(operation.statuses): \(answer.body)")
        }
        // A path the document does not list is not served.
        #expect(try await broker.get("/api/not-documented").status == 404)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
