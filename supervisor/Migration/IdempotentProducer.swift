import MonologKafkaClient
import MonologKafkaProtocol
import MonologRecords

/// The producer identity a migration writes with: a producer id from InitProducerId and a sequence
/// number per partition, as Kafka's idempotent producer keeps them. A batch sent again after a timeout
/// or a lost connection carries the same sequence, so the target keeps it once even when the first
/// attempt had reached its log (acknowledged or not, replicated or not). A new run gets a new id;
/// what an earlier run left is recognised from the target's end offset instead (`PartitionCopier`).
final class IdempotentProducer {
    private let target: MigrationTarget
    private var identity: (id: Int64, epoch: Int16)?
    private var sequences: [MigrationState.PartitionKey: Int32] = [:]

    init(target: MigrationTarget) {
        self.target = target
    }

    /// The stamp for the next batch of `key`.
    func stamp(for key: MigrationState.PartitionKey) async throws -> ProducerStamp {
        let identity = try await self.currentIdentity()
        return ProducerStamp(producerID: identity.id, epoch: identity.epoch, baseSequence: self.sequences[key] ?? 0)
    }

    /// The target kept a batch of `count` records stamped for `key`.
    func acknowledged(_ key: MigrationState.PartitionKey, count: Int) {
        // Sequences wrap at Int32.max as Kafka's do.
        let next = Int64(self.sequences[key] ?? 0) + Int64(count)
        self.sequences[key] = Int32(truncatingIfNeeded: next & Int64(Int32.max))
    }

    /// Forgets the identity (the target no longer knows it, or a batch's fate is unknown after its
    /// retries ran out): the next batch gets a new producer id and starts every sequence at 0.
    func reset() {
        self.identity = nil
        self.sequences = [:]
    }

    private func currentIdentity() async throws -> (id: Int64, epoch: Int16) {
        if let identity = self.identity { return identity }
        var request = InitProducerIdRequest()
        request.transactionalId = nil  // idempotent only, not transactional
        request.transactionTimeoutMs = 60_000
        request.producerId = -1
        request.producerEpoch = -1
        let (response, _) = try await self.target.cluster.anyConnection().send(request)
        guard response.errorCode == KafkaErrorCode.none else {
            throw MigrationTarget.Failure(code: response.errorCode, message: "InitProducerId on the target")
        }
        self.identity = (response.producerId, response.producerEpoch)
        return (response.producerId, response.producerEpoch)
    }
}
