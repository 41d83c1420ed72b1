/// The APIs this gateway answers, with the version range of each. ApiVersions is computed from this
/// list, so the broker advertises exactly what it implements and nothing more.
enum SupportedAPIs {
    struct Entry {
        var apiKey: Int16
        var name: String
        var minVersion: Int16
        var maxVersion: Int16
    }

    static let all: [Entry] = [
        ProduceAPI.range,
        FetchAPI.range,
        ListOffsetsAPI.range,
        MetadataAPI.range,
        ApiVersionsAPI.range,
        CreateTopicsAPI.range,
        DeleteTopicsAPI.range,
        DeleteRecordsAPI.range,
        InitProducerIdAPI.range,
        OffsetForLeaderEpochAPI.range,
        CreatePartitionsAPI.range,
        FindCoordinatorAPI.range,
        JoinGroupAPI.range,
        SyncGroupAPI.range,
        HeartbeatAPI.range,
        LeaveGroupAPI.range,
        OffsetCommitAPI.range,
        OffsetFetchAPI.range,
        OffsetDeleteAPI.range,
        DescribeGroupsAPI.range,
        ListGroupsAPI.range,
        DeleteGroupsAPI.range,
        DescribeConfigsAPI.range,
        AlterConfigsAPI.range,
        IncrementalAlterConfigsAPI.range,
        DescribeClusterAPI.range,
        DescribeLogDirsAPI.range,
        DescribeProducersAPI.range,
        SaslHandshakeAPI.range,
        SaslAuthenticateAPI.range,
        DescribeUserScramCredentialsAPI.range,
        AlterUserScramCredentialsAPI.range,
    ]
}

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
        default: return kafkaStorageError  // storage failure, overloaded, shutting down: retriable
        }
    }
}
