/// Every request type of the protocol: the writer's command table (`StorageCommands`) is derived from
/// it, and code without the writer's storage (the fuzzers) handles them all through it.
public enum WriterCommands {
    public static let all: [any WriterCommand.Type] = [
        Hello.self, Subscribe.self,
        CreateTopic.self, DeleteTopic.self, AlterTopicConfigs.self, CreatePartitions.self,
        AppendRecords.self, InitProducerID.self, DeleteRecords.self, ApplyRetention.self,
        CommitOffsets.self, DeleteGroupOffsets.self, StoreGroupState.self,
        AddPartitionsToTransaction.self, AddOffsetsToTransaction.self, CommitTransactionalOffsets.self, EndTransaction.self,
        ExpireTransactions.self,
        UpsertScramCredential.self, DeleteScramCredential.self, SetUserToken.self, DeleteUser.self,
    ]

    /// The request type for a frame type, if there is one.
    public static func type(ofKind kind: UInt8) -> (any WriterCommand.Type)? {
        Self.all.first { $0.kind == kind }
    }
}
