import Foundation
import MonologTestSupport
import Testing

/// Every kind of bad input gets a 4xx with a JSON error body, never a 5xx, a crash or a hang;
/// and the broker still serves afterwards.
@Suite struct HTTPBadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var path: String
        var body: String?
        var pathAsIs = false
        var status: Int
        var code: String
        /// The error message, where its wording matters (it names the field at fault).
        var message: String? = nil
        var testDescription: String { self.name }
    }

    static let cases: [Case] = [
        Case(name: "malformed JSON", method: "POST", path: "/api/topics/t/messages", body: "{\"value\":", status: 400, code: "invalid_json"),
        Case(name: "empty body", method: "POST", path: "/api/topics/t/messages", body: "", status: 400, code: "invalid_json"),
        Case(name: "missing value", method: "POST", path: "/api/topics/t/messages", body: #"{"key":"k"}"#, status: 400, code: "invalid_request"),
        Case(name: "value of the wrong type", method: "POST", path: "/api/topics/t/messages", body: #"{"value":42}"#, status: 400, code: "invalid_request"),
        Case(name: "topic name with ../ in the body", method: "POST", path: "/api/topics", body: #"{"name":"../x"}"#, status: 400, code: "invalid_topic_name"),
        Case(
            name: "topic name with an encoded slash", method: "POST", path: "/api/topics/..%2Fx/messages", body: #"{"value":"v"}"#, status: 400,
            code: "invalid_topic_name"),
        Case(
            name: "topic path with ../", method: "POST", path: "/api/topics/../x/messages", body: #"{"value":"v"}"#, pathAsIs: true, status: 404,
            code: "not_found"),
        Case(
            name: "topic name of 300 characters", method: "POST", path: "/api/topics/" + String(repeating: "x", count: 300) + "/messages",
            body: #"{"value":"v"}"#, status: 400, code: "invalid_topic_name"),
        Case(name: "negative offset", method: "GET", path: "/api/topics/t/messages?offset=-1", status: 400, code: "invalid_parameter"),
        Case(name: "limit=abc", method: "GET", path: "/api/topics/t/messages?limit=abc", status: 400, code: "invalid_parameter"),
        Case(name: "limit=0", method: "GET", path: "/api/topics/t/messages?limit=0", status: 400, code: "invalid_parameter"),
        Case(name: "partition that does not exist", method: "GET", path: "/api/topics/t/messages?partition=9", status: 400, code: "invalid_partition"),
        Case(
            name: "produce to a partition that does not exist", method: "POST", path: "/api/topics/t/messages", body: #"{"value":"v","partition":9}"#,
            status: 400, code: "invalid_partition"),
        Case(name: "unknown topic read", method: "GET", path: "/api/topics/nope/messages", status: 404, code: "unknown_topic"),
        Case(name: "unknown topic describe", method: "GET", path: "/api/topics/nope", status: 404, code: "unknown_topic"),
        Case(name: "unknown topic delete", method: "DELETE", path: "/api/topics/nope", status: 404, code: "unknown_topic"),
        Case(name: "zero partitions", method: "POST", path: "/api/topics", body: #"{"name":"z","partitions":0}"#, status: 400, code: "invalid_partitions"),
        Case(name: "unknown route", method: "GET", path: "/api/nothing", status: 404, code: "not_found"),
        Case(name: "invalid base64", method: "POST", path: "/api/topics/t/messages", body: #"{"value_base64":"!!!"}"#, status: 400, code: "invalid_base64"),
        Case(
            name: "value and value_base64 both", method: "POST", path: "/api/topics/t/messages", body: #"{"value":"a","value_base64":"YQ=="}"#, status: 400,
            code: "invalid_request"),
        Case(
            name: "a batch item of the wrong type", method: "POST", path: "/api/topics/t/messages", body: #"[{"value":"a"},{"value":1}]"#, status: 400,
            code: "invalid_request", message: "field '[1].value' must be a string"),
        Case(
            name: "a batch item that is not an object", method: "POST", path: "/api/topics/t/messages", body: #"[{"value":"a"},7]"#, status: 400,
            code: "invalid_request", message: "field '[1]' must be an object"),
        Case(name: "an empty batch", method: "POST", path: "/api/topics/t/messages", body: "[]", status: 400, code: "invalid_request"),
        Case(
            name: "a batch of 1001", method: "POST", path: "/api/topics/t/messages",
            body: "[" + Array(repeating: #"{"value":"v"}"#, count: 1001).joined(separator: ",") + "]", status: 400, code: "invalid_request"),
        Case(
            name: "a header value of the wrong type", method: "POST", path: "/api/topics/t/messages", body: #"{"value":"v","headers":{"a":1}}"#, status: 400,
            code: "invalid_request", message: "field 'headers.a' must be a string"),
        Case(
            name: "a key of the wrong type", method: "POST", path: "/api/topics/t/messages", body: #"{"value":"v","key":5}"#, status: 400,
            code: "invalid_request"),
        Case(name: "a null body", method: "POST", path: "/api/topics/t/messages", body: "null", status: 400, code: "invalid_request"),
        Case(
            name: "a negative partition", method: "POST", path: "/api/topics/t/messages", body: #"{"value":"v","partition":-1}"#, status: 400,
            code: "invalid_partition"),
        Case(
            name: "a partition beyond Int32", method: "POST", path: "/api/topics/t/messages", body: #"{"value":"v","partition":2147483648}"#, status: 400,
            code: "invalid_partition"),
        Case(name: "offset=abc", method: "GET", path: "/api/topics/t/messages?offset=abc", status: 400, code: "invalid_parameter"),
        Case(name: "an offset beyond Int64", method: "GET", path: "/api/topics/t/messages?offset=99999999999999999999", status: 400, code: "invalid_parameter"),
        Case(name: "partition=-1", method: "GET", path: "/api/topics/t/messages?partition=-1", status: 400, code: "invalid_parameter"),
        Case(name: "limit=1001", method: "GET", path: "/api/topics/t/messages?limit=1001", status: 400, code: "invalid_parameter"),
        Case(name: "wait_ms over 30 s", method: "GET", path: "/api/topics/t/messages?wait_ms=30001", status: 400, code: "invalid_parameter"),
        Case(name: "max_bytes=0", method: "GET", path: "/api/topics/t/messages?max_bytes=0", status: 400, code: "invalid_parameter"),
        Case(name: "unknown group", method: "GET", path: "/api/groups/nobody", status: 404, code: "unknown_group"),
        Case(name: "a topic name of the wrong type", method: "POST", path: "/api/topics", body: #"{"name":5}"#, status: 400, code: "invalid_request"),
        Case(
            name: "partitions as a string", method: "POST", path: "/api/topics", body: #"{"name":"p","partitions":"3"}"#, status: 400, code: "invalid_request",
            message: "field 'partitions' must be an integer"),
        Case(
            name: "a config value that is not a string", method: "POST", path: "/api/topics", body: #"{"name":"p","configs":{"retention.ms":5}}"#, status: 400,
            code: "invalid_request"),
        Case(
            name: "an unknown topic config", method: "POST", path: "/api/topics", body: #"{"name":"p","configs":{"no.such":"1"}}"#, status: 400,
            code: "invalid_config"),
        Case(
            name: "an invalid topic config value", method: "POST", path: "/api/topics", body: #"{"name":"p","configs":{"retention.ms":"soon"}}"#, status: 400,
            code: "invalid_config"),
        Case(name: "a topic that exists", method: "POST", path: "/api/topics", body: #"{"name":"t"}"#, status: 409, code: "topic_exists"),
        Case(
            name: "a create body that is an array", method: "POST", path: "/api/topics", body: "[1]", status: 400, code: "invalid_request",
            message: "the body must be an object"),
        Case(
            name: "oversized body", method: "POST", path: "/api/topics/t/messages", body: "{\"value\":\"" + String(repeating: "x", count: 2 << 20) + "\"}",
            status: 413, code: "payload_too_large"),
    ]

    @Test func everyBadInputGetsA4xxWithAJSONError() async throws {
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics/t/messages", #"{"value":"exists"}"#).status == 200)
        for testCase in Self.cases {
            let url = broker.baseURL + testCase.path
            let result = try await blocking {
                try Curl.request(testCase.method, url, body: testCase.body, pathAsIs: testCase.pathAsIs, timeoutSeconds: 10)
            }
            #expect(result.status == testCase.status, "\(testCase.name): \(result.status) \(result.body.prefix(200))")
            #expect(result.errorCode == testCase.code, "\(testCase.name): \(result.body.prefix(200))")
            let message = (result.json["error"] as? [String: Any])?["message"] as? String
            #expect(message != nil, "\(testCase.name)")
            if let expected = testCase.message { #expect(message == expected, "\(testCase.name)") }
        }
        // Nothing above was stored, and the broker still works.
        let messages = try await broker.readAll(topic: "t")
        #expect(messages.map(\.value) == ["exists"])
        #expect(try await broker.get("/api/topics/p").status == 404, "a refused create made a topic")
        #expect(!broker.log.contains("request failed"), "a bad request was logged as a server failure")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
