// Throughput of the protocol library on 1 MiB of record batches, next to memcpy of 1 MiB measured in
// the same run: every benchmark processes 1 MiB per iteration, so its throughput (per second) is MiB/s,
// and docs/benchmarks.md quotes each as a ratio to the memcpy figure.
import Benchmark
import MonologKafkaProtocol
import MonologRecords
import NIOCore

/// 16 batches of 64 KiB (512-byte records), spread over 4 topics × 4 partitions: 1 MiB in all.
func oneMiBOfBatches() -> [ByteBuffer] {
    (0..<16).map { batch in
        let records = (0..<127).map { i in
            NewRecord(
                key: Array("key-\(i)".utf8), value: [UInt8](repeating: UInt8(truncatingIfNeeded: batch &+ i), count: 500),
                timestamp: 1_700_000_000_000 + Int64(i))
        }
        return RecordBatchBuilder.build(records)
    }
}

func produceRequest(_ batches: [ByteBuffer]) -> ProduceRequest {
    var request = ProduceRequest()
    request.acks = -1
    request.timeoutMs = 30_000
    request.topicData = (0..<4).map { topicIndex in
        var topic = ProduceRequest.TopicProduceData()
        topic.name = "topic-\(topicIndex)"
        topic.partitionData = (0..<4).map { partitionIndex in
            var partition = ProduceRequest.PartitionProduceData()
            partition.index = Int32(partitionIndex)
            partition.records = batches[topicIndex * 4 + partitionIndex]
            return partition
        }
        return topic
    }
    return request
}

func fetchResponse(_ batches: [ByteBuffer]) -> FetchResponse {
    var response = FetchResponse()
    response.responses = (0..<4).map { topicIndex in
        var topic = FetchResponse.FetchableTopicResponse()
        topic.topic = "topic-\(topicIndex)"
        topic.partitions = (0..<4).map { partitionIndex in
            var partition = FetchResponse.PartitionData()
            partition.partitionIndex = Int32(partitionIndex)
            partition.highWatermark = 1_000_000
            partition.records = batches[topicIndex * 4 + partitionIndex]
            return partition
        }
        return topic
    }
    return response
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )
    let batches = oneMiBOfBatches()
    let contiguous: [UInt8] = batches.flatMap { Array($0.readableBytesView) }
    let produce = produceRequest(batches)
    let fetch = fetchResponse(batches)
    var produceWire = ByteBuffer()
    try! produce.encode(into: &produceWire, version: 9)
    var fetchWire = ByteBuffer()
    try! fetch.encode(into: &fetchWire, version: 12)

    Benchmark("memcpy 1 MiB (baseline)") { benchmark in
        var destination = [UInt8](repeating: 0, count: contiguous.count)
        for _ in benchmark.scaledIterations {
            destination.withUnsafeMutableBytes { target in
                contiguous.withUnsafeBytes { source in target.copyMemory(from: source) }
            }
            blackHole(destination[destination.count / 2])
        }
    }

    Benchmark("CRC-32C 1 MiB") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(contiguous.withUnsafeBytes { CRC32C.checksum($0) })
        }
    }

    Benchmark("Produce v9 decode 1 MiB") { benchmark in
        for _ in benchmark.scaledIterations {
            var reader = produceWire
            blackHole(try ProduceRequest(from: &reader, version: 9))
        }
    }

    Benchmark("Produce v9 decode + validate batches 1 MiB") { benchmark in
        for _ in benchmark.scaledIterations {
            var reader = produceWire
            let request = try ProduceRequest(from: &reader, version: 9)
            for topic in request.topicData {
                for partition in topic.partitionData {
                    blackHole(try RecordBatch.split(partition.records!))
                }
            }
        }
    }

    Benchmark("Produce v9 encode 1 MiB") { benchmark in
        for _ in benchmark.scaledIterations {
            var buffer = ByteBuffer()
            buffer.reserveCapacity(produceWire.readableBytes)
            try produce.encode(into: &buffer, version: 9)
            blackHole(buffer)
        }
    }

    Benchmark("Fetch v12 response encode 1 MiB") { benchmark in
        for _ in benchmark.scaledIterations {
            var buffer = ByteBuffer()
            buffer.reserveCapacity(fetchWire.readableBytes)
            try fetch.encode(into: &buffer, version: 12)
            blackHole(buffer)
        }
    }

    Benchmark("Fetch v12 response decode 1 MiB") { benchmark in
        for _ in benchmark.scaledIterations {
            var reader = fetchWire
            blackHole(try FetchResponse(from: &reader, version: 12))
        }
    }
}
