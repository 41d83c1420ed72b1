import MonologRecords
import Synchronization

/// Picks the partition of an HTTP-produced message: the one asked for, else by key with the Java
/// client's default partitioner (so keys land where a Kafka producer would put them), else round robin.
final class PartitionChooser: Sendable {
    private let next = Atomic<UInt32>(0)

    func partition(requested: Int64?, key: [UInt8]?, partitionCount: Int32) throws -> Int32 {
        if let requested {
            guard requested >= 0, requested < Int64(partitionCount) else {
                throw APIError.badRequest(
                    "invalid_partition",
                    "partition \(requested) does not exist; the topic has \(partitionCount) partition(s)"
                )
            }
            return Int32(requested)
        }
        if let key { return KafkaPartitioner.partition(forKey: key, partitionCount: partitionCount) }
        let turn = self.next.add(1, ordering: .relaxed).oldValue
        return Int32(turn % UInt32(partitionCount))
    }
}
