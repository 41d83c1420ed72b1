import NIOCore

extension WriterResponse {
    enum Kind: UInt8 {
        case hello = 0x81
        case topicCreated = 0x90
        case topicDeleted = 0x91
        case configsAltered = 0x92
        case partitionsCreated = 0x93
        case appended = 0xA0
        case producerID = 0xA1
        case recordsDeleted = 0xA2
        case retentionApplied = 0xB0
        case offsetsCommitted = 0xC0
        case groupOffsetsDeleted = 0xC1
        case usersChanged = 0xC2
        case subscribed = 0xD0
        case watermarks = 0xD1
        case error = 0xFF
    }
}

extension WriterEnvelope where Message == WriterResponse {
    public func encode(into buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(self.requestID)
        switch self.message {
        case .hello(let version):
            buffer.writeInteger(WriterResponse.Kind.hello.rawValue)
            buffer.writeInteger(version)
        case .topicCreated(let topicID, let partitionCount, let created):
            buffer.writeInteger(WriterResponse.Kind.topicCreated.rawValue)
            buffer.writeInteger(topicID)
            buffer.writeInteger(partitionCount)
            buffer.writeInteger(UInt8(created ? 1 : 0))
        case .topicDeleted:
            buffer.writeInteger(WriterResponse.Kind.topicDeleted.rawValue)
        case .partitionsCreated(let count):
            buffer.writeInteger(WriterResponse.Kind.partitionsCreated.rawValue)
            buffer.writeInteger(count)
        case .configsAltered:
            buffer.writeInteger(WriterResponse.Kind.configsAltered.rawValue)
        case .appended(let baseOffset, let lastOffset, let logStartOffset, let logAppendTimeMs):
            buffer.writeInteger(WriterResponse.Kind.appended.rawValue)
            buffer.writeInteger(baseOffset)
            buffer.writeInteger(lastOffset)
            buffer.writeInteger(logStartOffset)
            buffer.writeInteger(logAppendTimeMs)
        case .producerID(let id, let epoch):
            buffer.writeInteger(WriterResponse.Kind.producerID.rawValue)
            buffer.writeInteger(id)
            buffer.writeInteger(epoch)
        case .recordsDeleted(let logStartOffset):
            buffer.writeInteger(WriterResponse.Kind.recordsDeleted.rawValue)
            buffer.writeInteger(logStartOffset)
        case .retentionApplied(let deleted, let rewritten):
            buffer.writeInteger(WriterResponse.Kind.retentionApplied.rawValue)
            buffer.writeInteger(deleted)
            buffer.writeInteger(rewritten)
        case .offsetsCommitted(let codes):
            buffer.writeInteger(WriterResponse.Kind.offsetsCommitted.rawValue)
            buffer.writeInteger(UInt32(codes.count))
            for code in codes { buffer.writeInteger(code.rawValue) }
        case .groupOffsetsDeleted(let count):
            buffer.writeInteger(WriterResponse.Kind.groupOffsetsDeleted.rawValue)
            buffer.writeInteger(count)
        case .usersChanged(let changed):
            buffer.writeInteger(WriterResponse.Kind.usersChanged.rawValue)
            buffer.writeInteger(UInt8(changed ? 1 : 0))
        case .subscribed:
            buffer.writeInteger(WriterResponse.Kind.subscribed.rawValue)
        case .watermarks(let watermarks):
            buffer.writeInteger(WriterResponse.Kind.watermarks.rawValue)
            buffer.writeInteger(UInt32(watermarks.count))
            for watermark in watermarks {
                buffer.writeShortString(watermark.topic)
                buffer.writeInteger(watermark.partition)
                buffer.writeInteger(watermark.highWatermark)
                buffer.writeInteger(watermark.logStartOffset)
            }
        case .error(let code, let message):
            buffer.writeInteger(WriterResponse.Kind.error.rawValue)
            buffer.writeInteger(code.rawValue)
            buffer.writeShortString(message)
        }
        buffer.setInteger(UInt32(buffer.writerIndex - start - 4), at: start)
    }

    public static func decode(_ frame: ByteBuffer) throws(WriterProtocolError) -> Self {
        var frame = frame
        let requestID: UInt64 = try frame.readInteger("request id")
        let rawKind: UInt8 = try frame.readInteger("message type")
        guard let kind = WriterResponse.Kind(rawValue: rawKind) else {
            throw WriterProtocolError("unknown response type \(rawKind)")
        }
        let message: WriterResponse
        switch kind {
        case .hello:
            message = .hello(version: try frame.readInteger("version"))
        case .topicCreated:
            let topicID: Int64 = try frame.readInteger("topic id")
            let partitionCount: Int32 = try frame.readInteger("partition count")
            let created: UInt8 = try frame.readInteger("created flag")
            message = .topicCreated(topicID: topicID, partitionCount: partitionCount, created: created != 0)
        case .topicDeleted:
            message = .topicDeleted
        case .partitionsCreated:
            message = .partitionsCreated(count: try frame.readInteger("partition count"))
        case .configsAltered:
            message = .configsAltered
        case .appended:
            let baseOffset: Int64 = try frame.readInteger("base offset")
            let lastOffset: Int64 = try frame.readInteger("last offset")
            let logStartOffset: Int64 = try frame.readInteger("log start offset")
            message = .appended(
                baseOffset: baseOffset,
                lastOffset: lastOffset,
                logStartOffset: logStartOffset,
                logAppendTimeMs: try frame.readInteger("log append time")
            )
        case .producerID:
            let id: Int64 = try frame.readInteger("producer id")
            message = .producerID(id: id, epoch: try frame.readInteger("producer epoch"))
        case .recordsDeleted:
            message = .recordsDeleted(logStartOffset: try frame.readInteger("log start offset"))
        case .retentionApplied:
            let deleted: Int64 = try frame.readInteger("batches deleted")
            message = .retentionApplied(batchesDeleted: deleted, batchesRewritten: try frame.readInteger("batches rewritten"))
        case .offsetsCommitted:
            var codes: [WriterErrorCode] = []
            for _ in 0..<(try frame.readCount("codes", minimumElementSize: 2)) {
                codes.append(WriterErrorCode(rawValue: try frame.readInteger("code")))
            }
            message = .offsetsCommitted(codes)
        case .groupOffsetsDeleted:
            message = .groupOffsetsDeleted(count: try frame.readInteger("count"))
        case .usersChanged:
            message = .usersChanged(try frame.readInteger("changed", as: UInt8.self) != 0)
        case .subscribed:
            message = .subscribed
        case .watermarks:
            var watermarks: [PartitionWatermark] = []
            for _ in 0..<(try frame.readCount("watermarks", minimumElementSize: 22)) {
                let topic = try frame.readShortString("topic")
                let partition: Int32 = try frame.readInteger("partition")
                let highWatermark: Int64 = try frame.readInteger("high watermark")
                watermarks.append(
                    PartitionWatermark(topic: topic, partition: partition, highWatermark: highWatermark, logStartOffset: try frame.readInteger("log start offset"))
                )
            }
            message = .watermarks(watermarks)
        case .error:
            let code: UInt16 = try frame.readInteger("error code")
            message = .error(WriterErrorCode(rawValue: code), message: try frame.readShortString("error message"))
        }
        guard frame.readableBytes == 0 else { throw WriterProtocolError("\(frame.readableBytes) trailing bytes") }
        return Self(requestID: requestID, message: message)
    }
}
