import CZstd

/// zstd frames through libzstd.
enum Zstd {
    static func compress(_ input: [UInt8], level: Int32? = nil) throws(RecordBatchError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
        let size = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                ZSTD_compress(destination.baseAddress, destination.count, source.baseAddress, source.count, level ?? 3)
            }
        }
        guard ZSTD_isError(size) == 0 else { throw .malformed("zstd: \(String(cString: ZSTD_getErrorName(size)))") }
        output.removeLast(output.count - size)
        return output
    }

    /// Streams the frame out in chunks, whatever size the frame header claims, and stops at the limit.
    static func decompress(_ input: [UInt8], maxBytes: Int) throws(RecordBatchError) -> [UInt8] {
        guard let context = ZSTD_createDStream() else { throw .malformed("zstd: cannot create a context") }
        defer { ZSTD_freeDStream(context) }
        ZSTD_initDStream(context)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var finished = false
        try input.withUnsafeBufferPointer { (source: UnsafeBufferPointer<UInt8>) throws(RecordBatchError) in
            var inBuffer = ZSTD_inBuffer(src: UnsafeRawPointer(source.baseAddress), size: source.count, pos: 0)
            while true {
                var hint = 0
                let produced: Int = chunk.withUnsafeMutableBytes { destination in
                    var outBuffer = ZSTD_outBuffer(dst: destination.baseAddress, size: destination.count, pos: 0)
                    hint = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
                    return outBuffer.pos
                }
                guard ZSTD_isError(hint) == 0 else { throw .malformed("zstd: \(String(cString: ZSTD_getErrorName(hint)))") }
                guard output.count + produced <= maxBytes else { throw RecordCompression.tooLarge("zstd", maxBytes) }
                output.append(contentsOf: chunk[..<produced])
                if hint == 0 { finished = true }
                if inBuffer.pos == inBuffer.size && produced < chunk.count { break }
            }
        }
        guard finished else { throw .truncated("zstd frame") }
        return output
    }
}
