import MonologKafkaProtocol
import MonologWriterClient
import MonologWriterProtocol

extension KafkaErrorCode {
    /// What a Kafka client should see for a storage writer's answer.
    static func from(_ error: any Error) -> Int16 {
        guard let error = error as? WriterClientError else { return kafkaStorageError }
        switch error.code {
        case .unavailable, .connectionLost: return requestTimedOut  // retriable: the writer is restarting
        case .unexpectedResponse: return kafkaStorageError
        case .rejected(let code): return from(code)
        }
    }

    /// What a Kafka client should see for a code the storage writer answered with.
    static func from(_ code: WriterErrorCode) -> Int16 {
        switch code {
        case .none: return none
        case .unknownTopic, .invalidPartition: return unknownTopicOrPartition
        case .invalidTopicName: return invalidTopicException
        case .corruptBatch: return corruptMessage
        case .outOfOrderSequence: return outOfOrderSequenceNumber
        case .invalidProducerEpoch: return invalidProducerEpoch
        case .unknownProducerID: return unknownProducerID
        case .offsetOutOfRange: return offsetOutOfRange
        case .topicAlreadyExists: return topicAlreadyExists
        case .invalidConfig: return invalidConfig
        case .invalidPartitions: return invalidPartitions
        case .requestTooLarge: return messageTooLarge
        case .invalidRequest: return invalidRequest
        case .invalidTxnState: return invalidTxnState
        case .producerFenced: return producerFenced
        case .invalidProducerIDMapping: return invalidProducerIDMapping
        case .invalidRecord: return invalidRecord
        default: return kafkaStorageError  // storage failure, overloaded, shutting down: retriable
        }
    }

    /// A transaction coordinator's answer for a request at `version`, where PRODUCER_FENCED (KIP-588)
    /// is new: older versions say INVALID_PRODUCER_EPOCH for it, which their clients know.
    static func fromCoordinator(_ error: any Error, fencedSince version: Int16, requestVersion: Int16) -> Int16 {
        let code = from(error)
        return code == producerFenced && requestVersion < version ? invalidProducerEpoch : code
    }
}
