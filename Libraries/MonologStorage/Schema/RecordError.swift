/// A record a topic refused, named by its index in its batch (KIP-467). Kafka refuses the whole batch
/// and tells the producer which records were at fault (Produce v8's `record_errors`), so that it can
/// fail those and retry or report the others.
public struct RecordError: Hashable, Sendable {
    /// The record's position in its batch, from 0.
    public var batchIndex: Int32
    /// Why this record was refused.
    public var message: String

    public init(batchIndex: Int32, message: String) {
        self.batchIndex = batchIndex
        self.message = message
    }
}
