import Hummingbird
import MonologStorage

/// Query parameters with range checks; a bad value is a 400 naming the parameter.
extension Request {
    func integerParameter(_ name: String, default defaultValue: Int64, range: ClosedRange<Int64>) throws -> Int64 {
        guard let text = self.uri.queryParameters[Substring(name)] else { return defaultValue }
        guard let value = Int64(String(text)) else {
            throw APIError.badRequest("invalid_parameter", "query parameter '\(name)' must be an integer, got '\(text)'")
        }
        guard range.contains(value) else {
            throw APIError.badRequest(
                "invalid_parameter",
                "query parameter '\(name)' must be between \(range.lowerBound) and \(range.upperBound), got \(value)"
            )
        }
        return value
    }
}

extension RequestContext {
    /// The `{topic}` path segment, checked against Kafka's topic-name rules.
    func topicName() throws -> String {
        let name = try self.parameters.require("topic")
        if let problem = TopicName.problem(with: name) {
            throw APIError.badRequest("invalid_topic_name", problem)
        }
        return name
    }
}
