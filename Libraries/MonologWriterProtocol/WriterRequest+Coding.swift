import NIOCore

extension WriterRequest {
    enum Kind: UInt8 {
        case hello = 0x01
        case createTopic = 0x10
        case deleteTopic = 0x11
        case alterTopicConfigs = 0x12
        case createPartitions = 0x13
        case append = 0x20
        case initProducerID = 0x21
        case deleteRecords = 0x22
        case applyRetention = 0x30
        case commitOffsets = 0x40
        case deleteGroupOffsets = 0x41
        case subscribe = 0x50
        case upsertScramCredential = 0x60
        case deleteScramCredential = 0x61
        case setUserToken = 0x62
        case deleteUser = 0x63
    }
}

extension WriterEnvelope where Message == WriterRequest {
    /// Appends the framed request (length prefix included) to `buffer`.
    public func encode(into buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(self.requestID)
        switch self.message {
        case .hello(let version, let clientName):
            buffer.writeInteger(WriterRequest.Kind.hello.rawValue)
            buffer.writeInteger(WriterProtocol.magic)
            buffer.writeInteger(version)
            buffer.writeShortString(clientName)
        case .createTopic(let name, let partitionCount, let configs, let ifNotExists):
            buffer.writeInteger(WriterRequest.Kind.createTopic.rawValue)
            buffer.writeShortString(name)
            buffer.writeInteger(partitionCount)
            buffer.writeInteger(UInt8(ifNotExists ? 1 : 0))
            buffer.writeStringMap(configs)
        case .deleteTopic(let name):
            buffer.writeInteger(WriterRequest.Kind.deleteTopic.rawValue)
            buffer.writeShortString(name)
        case .createPartitions(let name, let count):
            buffer.writeInteger(WriterRequest.Kind.createPartitions.rawValue)
            buffer.writeShortString(name)
            buffer.writeInteger(count)
        case .alterTopicConfigs(let name, let set, let delete):
            buffer.writeInteger(WriterRequest.Kind.alterTopicConfigs.rawValue)
            buffer.writeShortString(name)
            buffer.writeStringMap(set)
            buffer.writeInteger(UInt32(delete.count))
            for key in delete { buffer.writeShortString(key) }
        case .append(let topic, let partition, let batches):
            buffer.writeInteger(WriterRequest.Kind.append.rawValue)
            buffer.writeShortString(topic)
            buffer.writeInteger(partition)
            buffer.writeBlob(batches)
        case .initProducerID(let transactionalID, let producerID, let producerEpoch):
            buffer.writeInteger(WriterRequest.Kind.initProducerID.rawValue)
            buffer.writeNullableShortString(transactionalID)
            buffer.writeInteger(producerID)
            buffer.writeInteger(producerEpoch)
        case .deleteRecords(let topic, let partition, let beforeOffset):
            buffer.writeInteger(WriterRequest.Kind.deleteRecords.rawValue)
            buffer.writeShortString(topic)
            buffer.writeInteger(partition)
            buffer.writeInteger(beforeOffset)
        case .applyRetention(let nowMs, let defaultRetentionMs, let defaultRetentionBytes):
            buffer.writeInteger(WriterRequest.Kind.applyRetention.rawValue)
            buffer.writeInteger(nowMs)
            buffer.writeInteger(defaultRetentionMs)
            buffer.writeInteger(defaultRetentionBytes)
        case .commitOffsets(let group, let offsets):
            buffer.writeInteger(WriterRequest.Kind.commitOffsets.rawValue)
            buffer.writeShortString(group)
            buffer.writeInteger(UInt32(offsets.count))
            for offset in offsets {
                buffer.writeShortString(offset.topic)
                buffer.writeInteger(offset.partition)
                buffer.writeInteger(offset.offset)
                buffer.writeInteger(offset.leaderEpoch)
                buffer.writeNullableShortString(offset.metadata)
            }
        case .deleteGroupOffsets(let group, let partitions):
            buffer.writeInteger(WriterRequest.Kind.deleteGroupOffsets.rawValue)
            buffer.writeShortString(group)
            buffer.writeInteger(UInt32(partitions.count))
            for partition in partitions {
                buffer.writeShortString(partition.topic)
                buffer.writeInteger(partition.partition)
            }
        case .subscribe:
            buffer.writeInteger(WriterRequest.Kind.subscribe.rawValue)
        case .upsertScramCredential(let user, let credential):
            buffer.writeInteger(WriterRequest.Kind.upsertScramCredential.rawValue)
            buffer.writeShortString(user)
            buffer.writeShortString(credential.mechanism)
            buffer.writeBlob(ByteBuffer(bytes: credential.salt))
            buffer.writeInteger(credential.iterations)
            buffer.writeBlob(ByteBuffer(bytes: credential.storedKey))
            buffer.writeBlob(ByteBuffer(bytes: credential.serverKey))
        case .deleteScramCredential(let user, let mechanism):
            buffer.writeInteger(WriterRequest.Kind.deleteScramCredential.rawValue)
            buffer.writeShortString(user)
            buffer.writeShortString(mechanism)
        case .setUserToken(let user, let tokenSHA256):
            buffer.writeInteger(WriterRequest.Kind.setUserToken.rawValue)
            buffer.writeShortString(user)
            buffer.writeBlob(ByteBuffer(bytes: tokenSHA256))
        case .deleteUser(let user):
            buffer.writeInteger(WriterRequest.Kind.deleteUser.rawValue)
            buffer.writeShortString(user)
        }
        buffer.setInteger(UInt32(buffer.writerIndex - start - 4), at: start)
    }

    /// Decodes one frame's payload (length prefix already removed).
    public static func decode(_ frame: ByteBuffer) throws(WriterProtocolError) -> Self {
        var frame = frame
        let requestID: UInt64 = try frame.readInteger("request id")
        let rawKind: UInt8 = try frame.readInteger("message type")
        guard let kind = WriterRequest.Kind(rawValue: rawKind) else {
            throw WriterProtocolError("unknown request type \(rawKind)")
        }
        let message: WriterRequest
        switch kind {
        case .hello:
            let magic: UInt32 = try frame.readInteger("magic")
            guard magic == WriterProtocol.magic else { throw WriterProtocolError("bad magic \(magic)") }
            let version: UInt16 = try frame.readInteger("version")
            message = .hello(version: version, clientName: try frame.readShortString("client name"))
        case .createTopic:
            let name = try frame.readShortString("topic name")
            let partitionCount: Int32 = try frame.readInteger("partition count")
            let ifNotExists: UInt8 = try frame.readInteger("if-not-exists flag")
            message = .createTopic(
                name: name,
                partitionCount: partitionCount,
                configs: try frame.readStringMap("configs"),
                ifNotExists: ifNotExists != 0
            )
        case .deleteTopic:
            message = .deleteTopic(name: try frame.readShortString("topic name"))
        case .createPartitions:
            message = .createPartitions(name: try frame.readShortString("topic name"), count: try frame.readInteger("partition count"))
        case .alterTopicConfigs:
            let name = try frame.readShortString("topic name")
            let set = try frame.readStringMap("configs to set")
            var delete: [String] = []
            for _ in 0..<(try frame.readCount("configs to delete", minimumElementSize: 2)) {
                delete.append(try frame.readShortString("config key"))
            }
            message = .alterTopicConfigs(name: name, set: set, delete: delete)
        case .append:
            let topic = try frame.readShortString("topic name")
            let partition: Int32 = try frame.readInteger("partition")
            message = .append(topic: topic, partition: partition, batches: try frame.readBlob("record batches"))
        case .initProducerID:
            let transactionalID = try frame.readNullableShortString("transactional id")
            let producerID: Int64 = try frame.readInteger("producer id")
            message = .initProducerID(transactionalID: transactionalID, producerID: producerID, producerEpoch: try frame.readInteger("producer epoch"))
        case .deleteRecords:
            let topic = try frame.readShortString("topic name")
            let partition: Int32 = try frame.readInteger("partition")
            message = .deleteRecords(topic: topic, partition: partition, beforeOffset: try frame.readInteger("offset"))
        case .applyRetention:
            let nowMs: Int64 = try frame.readInteger("now")
            let retentionMs: Int64 = try frame.readInteger("default retention.ms")
            message = .applyRetention(nowMs: nowMs, defaultRetentionMs: retentionMs, defaultRetentionBytes: try frame.readInteger("default retention.bytes"))
        case .commitOffsets:
            let group = try frame.readShortString("group")
            var offsets: [GroupOffsetCommit] = []
            for _ in 0..<(try frame.readCount("offsets", minimumElementSize: 20)) {
                let topic = try frame.readShortString("topic")
                let partition: Int32 = try frame.readInteger("partition")
                let offset: Int64 = try frame.readInteger("offset")
                let leaderEpoch: Int32 = try frame.readInteger("leader epoch")
                offsets.append(
                    GroupOffsetCommit(topic: topic, partition: partition, offset: offset, leaderEpoch: leaderEpoch, metadata: try frame.readNullableShortString("metadata"))
                )
            }
            message = .commitOffsets(group: group, offsets: offsets)
        case .deleteGroupOffsets:
            let group = try frame.readShortString("group")
            var partitions: [TopicPartition] = []
            for _ in 0..<(try frame.readCount("partitions", minimumElementSize: 6)) {
                let topic = try frame.readShortString("topic")
                partitions.append(TopicPartition(topic: topic, partition: try frame.readInteger("partition")))
            }
            message = .deleteGroupOffsets(group: group, partitions: partitions)
        case .subscribe:
            message = .subscribe
        case .upsertScramCredential:
            let user = try frame.readShortString("user")
            let mechanism = try frame.readShortString("mechanism")
            let salt = try frame.readBlob("salt")
            let iterations: Int32 = try frame.readInteger("iterations")
            let storedKey = try frame.readBlob("stored key")
            let serverKey = try frame.readBlob("server key")
            message = .upsertScramCredential(
                user: user,
                credential: ScramCredentialRecord(
                    mechanism: mechanism,
                    salt: Array(salt.readableBytesView),
                    iterations: iterations,
                    storedKey: Array(storedKey.readableBytesView),
                    serverKey: Array(serverKey.readableBytesView)
                )
            )
        case .deleteScramCredential:
            let user = try frame.readShortString("user")
            message = .deleteScramCredential(user: user, mechanism: try frame.readShortString("mechanism"))
        case .setUserToken:
            let user = try frame.readShortString("user")
            message = .setUserToken(user: user, tokenSHA256: Array(try frame.readBlob("token digest").readableBytesView))
        case .deleteUser:
            message = .deleteUser(user: try frame.readShortString("user"))
        }
        guard frame.readableBytes == 0 else { throw WriterProtocolError("\(frame.readableBytes) trailing bytes") }
        return Self(requestID: requestID, message: message)
    }
}

extension ByteBuffer {
    mutating func writeStringMap(_ map: [String: String]) {
        self.writeInteger(UInt32(map.count))
        for (key, value) in map.sorted(by: { $0.key < $1.key }) {
            self.writeShortString(key)
            self.writeShortString(value)
        }
    }

    mutating func readStringMap(_ field: String) throws(WriterProtocolError) -> [String: String] {
        var map: [String: String] = [:]
        for _ in 0..<(try self.readCount(field, minimumElementSize: 4)) {
            let key = try self.readShortString("\(field) key")
            map[key] = try self.readShortString("\(field) value")
        }
        return map
    }
}
