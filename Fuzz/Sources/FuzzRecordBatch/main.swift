import CFuzzDriver
import MonologRecords
import NIOCore

/// A Produce request's records: split into batches and checked (lengths, CRC-32C); then the same bytes
/// with the CRC made right, so that the fuzzer gets past it into the records and every decompressor;
/// then the bytes as a compressed payload for each codec, with a small expansion limit.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    if let batches = try? RecordBatch.split(bytes) {
        for batch in batches { _ = try? batch.records(maxDecompressedBytes: 1 << 20) }
    }
    if let batch = try? RecordBatch(validating: withCorrectCRC(bytes)) {
        _ = try? batch.records(maxDecompressedBytes: 1 << 20)
    }
    for codec in [CompressionCodec.gzip, .snappy, .lz4, .zstd] {
        _ = try? RecordCompression.decompress(bytes, codec: codec, maxBytes: 1 << 20)
    }
    return 0
}

/// The bytes with the header's CRC-32C set to what they hold (when there is a whole header).
private func withCorrectCRC(_ bytes: ByteBuffer) -> ByteBuffer {
    var fixed = bytes
    guard fixed.readableBytes >= RecordBatchHeader.size else { return fixed }
    let start = fixed.readerIndex
    let crc = CRC32C.checksum(fixed, at: start + RecordBatchHeader.crcCoverageStart, length: fixed.readableBytes - RecordBatchHeader.crcCoverageStart) ?? 0
    fixed.setInteger(crc, at: start + RecordBatchHeader.Offsets.crc)
    return fixed
}

/// SwiftPM links the executable's `main` to this; libFuzzer's driver takes it from here.
@_cdecl("FuzzRecordBatch_main")
func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
