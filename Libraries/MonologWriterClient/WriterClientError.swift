import MonologStorage
import MonologWriterProtocol

/// Why a request to the storage writer did not succeed. What the caller may do next depends on the code:
/// after `.unavailable` nothing was written and a retry is safe; after `.connectionLost` the write may or
/// may not have committed, so it must not be reported as acknowledged.
public struct WriterClientError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// The writer could not be reached before the deadline; the request was not sent.
        case unavailable
        /// The connection dropped while the request was in flight; its outcome is unknown.
        case connectionLost
        /// The writer answered with an error.
        case rejected(WriterErrorCode)
        /// The writer's answer did not fit the request.
        case unexpectedResponse
    }

    public var code: Code
    public var message: String
    /// For `.rejected(.invalidRecord)`: the records the writer refused, by index in their batch.
    public var recordErrors: [RecordError]

    public init(_ code: Code, _ message: String, recordErrors: [RecordError] = []) {
        self.code = code
        self.message = message
        self.recordErrors = recordErrors
    }

    public var description: String { self.message }

    /// True when the same request may succeed later (the writer restarting, overloaded or out of disk).
    public var isRetriable: Bool {
        switch self.code {
        case .unavailable, .connectionLost: true
        case .rejected(let code): code.isRetriable
        case .unexpectedResponse: false
        }
    }
}
