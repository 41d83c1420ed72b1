/// Allocates a producer id, or bumps the epoch of `producerID` when it is given (KIP-360). With a
/// transactional id, the coordinator's InitProducerId: the id's producer, fenced and bumped (its open
/// transaction aborted), with `transactionTimeoutMs` kept for the transactions to come.
public struct InitProducerID: WriterCommand {
    public static let kind: UInt8 = 0x21
    public var transactionalID: String? = nil
    public var producerID: Int64 = -1
    public var producerEpoch: Int16 = -1
    public var transactionTimeoutMs: Int32 = 60_000

    public init() {}
    public init(transactionalID: String? = nil, producerID: Int64 = -1, producerEpoch: Int16 = -1, transactionTimeoutMs: Int32 = 60_000) {
        self.transactionalID = transactionalID
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.transactionTimeoutMs = transactionTimeoutMs
    }

    public static let fields: [WireField<Self>] = [
        .init("transactional id", \.transactionalID), .init("producer id", \.producerID), .init("producer epoch", \.producerEpoch),
        .init("transaction timeout", \.transactionTimeoutMs),
    ]

    public struct Reply: WireMessage {
        public var id: Int64 = -1
        public var epoch: Int16 = -1
        public init() {}
        public init(id: Int64, epoch: Int16) {
            self.id = id
            self.epoch = epoch
        }
        public static let fields: [WireField<Self>] = [.init("producer id", \.id), .init("producer epoch", \.epoch)]
    }
}
