import NIOCore

/// Transaction markers (KIP-98): the control batch a transaction's end writes into each of its
/// partitions. Its one record's key is (version 0, type: 0 abort, 1 commit) and its value (version 0,
/// coordinator epoch); the batch carries the producer's id and epoch, and the control and
/// transactional attribute bits. Consumers never see it as a message: they use it to end the
/// producer's transaction in that partition.
public enum ControlBatch {
    public static let attributes: Int16 = 0x20 | 0x10  // control, transactional

    public static func marker(commit: Bool, producerID: Int64, producerEpoch: Int16, timestamp: Int64) -> ByteBuffer {
        var key = ByteBuffer()
        key.writeInteger(Int16(0))
        key.writeInteger(Int16(commit ? 1 : 0))
        var value = ByteBuffer()
        value.writeInteger(Int16(0))
        value.writeInteger(Int32(0))  // coordinator epoch: this broker's only coordinator
        let record = NewRecord(key: Array(key.readableBytesView), value: Array(value.readableBytesView), timestamp: timestamp)
        var batch = RecordBatchBuilder.build(
            [record], producer: ProducerStamp(producerID: producerID, epoch: producerEpoch, baseSequence: -1, transactional: true))
        batch.setInteger(Self.attributes, at: RecordBatchHeader.Offsets.attributes)
        RecordBatchBuilder.finish(&batch)  // the CRC covers the attributes
        return batch
    }
}
