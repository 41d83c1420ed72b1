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
