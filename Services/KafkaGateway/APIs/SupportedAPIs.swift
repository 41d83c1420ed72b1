/// The APIs this gateway answers: one table that feeds both dispatch and ApiVersions, so the broker
/// advertises exactly what it implements and serves exactly what it advertises. Each API's file
/// (`NN-Name.swift`) declares its `entry`; adding an API adds one line to `all`.
enum SupportedAPIs {
    /// One served API: its key, its name (the `api` label of the latency metric), the versions
    /// ApiVersions advertises, and the function that answers a request.
    struct Entry: Sendable {
        var apiKey: Int16
        var name: String
        var minVersion: Int16
        var maxVersion: Int16
        /// Whether a SASL connection may send it before authenticating (ApiVersions and the SASL APIs).
        var allowedBeforeAuthentication = false
        /// Whether a request at a version outside the range is still served rather than closing the
        /// connection (ApiVersions only: it answers in the v0 layout, so the client can downgrade).
        var servesUnsupportedVersions = false
        /// Decodes the request and queues its answer (or closes the connection by throwing: malformed).
        var serve: @Sendable (KafkaRequest) throws -> Void

        func contains(_ version: Int16) -> Bool { version >= self.minVersion && version <= self.maxVersion }

        /// Whether dispatch hands a request at `version` to `serve`.
        func serves(version: Int16) -> Bool { self.servesUnsupportedVersions || self.contains(version) }
    }

    /// In the order ApiVersions lists them.
    static let all: [Entry] = [
        ProduceAPI.entry,
        FetchAPI.entry,
        ListOffsetsAPI.entry,
        MetadataAPI.entry,
        ApiVersionsAPI.entry,
        CreateTopicsAPI.entry,
        DeleteTopicsAPI.entry,
        DeleteRecordsAPI.entry,
        InitProducerIdAPI.entry,
        OffsetForLeaderEpochAPI.entry,
        CreatePartitionsAPI.entry,
        FindCoordinatorAPI.entry,
        JoinGroupAPI.entry,
        SyncGroupAPI.entry,
        HeartbeatAPI.entry,
        LeaveGroupAPI.entry,
        OffsetCommitAPI.entry,
        OffsetFetchAPI.entry,
        OffsetDeleteAPI.entry,
        DescribeGroupsAPI.entry,
        ListGroupsAPI.entry,
        DeleteGroupsAPI.entry,
        DescribeConfigsAPI.entry,
        AlterConfigsAPI.entry,
        IncrementalAlterConfigsAPI.entry,
        DescribeClusterAPI.entry,
        DescribeLogDirsAPI.entry,
        DescribeProducersAPI.entry,
        AddPartitionsToTxnAPI.entry,
        AddOffsetsToTxnAPI.entry,
        EndTxnAPI.entry,
        TxnOffsetCommitAPI.entry,
        DescribeTransactionsAPI.entry,
        ListTransactionsAPI.entry,
        SaslHandshakeAPI.entry,
        SaslAuthenticateAPI.entry,
        DescribeUserScramCredentialsAPI.entry,
        AlterUserScramCredentialsAPI.entry,
    ]

    /// `all` indexed by API key, nil where no API is served: dispatch is one bounds check and one load.
    private static let byKey: [Entry?] = {
        var table = [Entry?](repeating: nil, count: Int(all.map(\.apiKey).max() ?? -1) + 1)
        for entry in all {
            precondition(table[Int(entry.apiKey)] == nil, "API key \(entry.apiKey) is registered twice")
            table[Int(entry.apiKey)] = entry
        }
        return table
    }()

    /// The API served under `apiKey`, if any.
    static func entry(forKey apiKey: Int16) -> Entry? {
        guard apiKey >= 0, Int(apiKey) < self.byKey.count else { return nil }
        return self.byKey[Int(apiKey)]
    }
}
