/// Kafka's error codes, as numbered in the protocol guide's error table. Only the ones Monolog answers
/// with are named; the numbers are part of the wire protocol and never change.
public enum KafkaErrorCode {
    public static let none: Int16 = 0
    public static let offsetOutOfRange: Int16 = 1
    public static let corruptMessage: Int16 = 2
    public static let unknownTopicOrPartition: Int16 = 3
    public static let requestTimedOut: Int16 = 7
    public static let messageTooLarge: Int16 = 10
    public static let offsetMetadataTooLarge: Int16 = 12
    public static let coordinatorNotAvailable: Int16 = 15
    public static let invalidTopicException: Int16 = 17
    public static let notEnoughReplicas: Int16 = 19
    public static let illegalGeneration: Int16 = 22
    public static let inconsistentGroupProtocol: Int16 = 23
    public static let invalidGroupID: Int16 = 24
    public static let unknownMemberID: Int16 = 25
    public static let invalidSessionTimeout: Int16 = 26
    public static let rebalanceInProgress: Int16 = 27
    public static let unsupportedVersion: Int16 = 35
    public static let topicAlreadyExists: Int16 = 36
    public static let invalidPartitions: Int16 = 37
    public static let invalidReplicationFactor: Int16 = 38
    public static let invalidReplicaAssignment: Int16 = 39
    public static let invalidConfig: Int16 = 40
    public static let invalidRequest: Int16 = 42
    public static let outOfOrderSequenceNumber: Int16 = 45
    public static let invalidProducerEpoch: Int16 = 47
    // Transactions (KIP-98, KIP-447, KIP-588).
    public static let invalidTxnState: Int16 = 48
    public static let invalidProducerIDMapping: Int16 = 49
    public static let invalidTransactionTimeout: Int16 = 50
    public static let concurrentTransactions: Int16 = 51
    public static let operationNotAttempted: Int16 = 55
    public static let unstableOffsetCommit: Int16 = 88
    public static let producerFenced: Int16 = 90
    public static let transactionalIDNotFound: Int16 = 105
    public static let kafkaStorageError: Int16 = 56
    public static let unknownProducerID: Int16 = 59
    public static let nonEmptyGroup: Int16 = 68
    public static let groupIDNotFound: Int16 = 69
    public static let memberIDRequired: Int16 = 79
    public static let unknownLeaderEpoch: Int16 = 75
    public static let fencedInstanceID: Int16 = 82
    public static let groupSubscribedToTopic: Int16 = 86
    public static let invalidRecord: Int16 = 87
    public static let unsupportedSaslMechanism: Int16 = 33
    public static let illegalSaslState: Int16 = 34
    public static let saslAuthenticationFailed: Int16 = 58
    public static let resourceNotFound: Int16 = 91
    public static let duplicateResource: Int16 = 92
    public static let unacceptableCredential: Int16 = 93
}
