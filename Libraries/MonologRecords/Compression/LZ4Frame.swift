import CLZ4

/// The LZ4 frame format (magic 0x184D2204), which Kafka uses for magic-2 batches.
enum LZ4Frame {
    static func compress(_ input: [UInt8], level: Int32? = nil) throws(RecordBatchError) -> [UInt8] {
        // 64 KiB independent blocks, no checksums beyond the frame's own: what Kafka's Java client writes
        // and what every client reads.
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockSizeID = LZ4F_max64KB
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.compressionLevel = level ?? 0
        var output = [UInt8](repeating: 0, count: LZ4F_compressFrameBound(input.count, &preferences))
        let size = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                LZ4F_compressFrame(destination.baseAddress, destination.count, source.baseAddress, source.count, &preferences)
            }
        }
        guard LZ4F_isError(size) == 0 else { throw .malformed("lz4: \(String(cString: LZ4F_getErrorName(size)))") }
        output.removeLast(output.count - size)
        return output
    }

    static func decompress(_ input: [UInt8], maxBytes: Int) throws(RecordBatchError) -> [UInt8] {
        var context: OpaquePointer?
        guard LZ4F_isError(LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))) == 0, let context else {
            throw .malformed("lz4: cannot create a context")
        }
        defer { LZ4F_freeDecompressionContext(context) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var consumed = 0
        var hint = 1
        try input.withUnsafeBufferPointer { (source: UnsafeBufferPointer<UInt8>) throws(RecordBatchError) in
            while hint != 0 {
                var sourceSize = source.count - consumed
                var produced = chunk.count
                hint = chunk.withUnsafeMutableBytes { destination in
                    LZ4F_decompress(context, destination.baseAddress, &produced, source.baseAddress.map { UnsafeRawPointer($0 + consumed) }, &sourceSize, nil)
                }
                guard LZ4F_isError(hint) == 0 else { throw .malformed("lz4: \(String(cString: LZ4F_getErrorName(hint)))") }
                consumed += sourceSize
                guard output.count + produced <= maxBytes else { throw RecordCompression.tooLarge("lz4", maxBytes) }
                output.append(contentsOf: chunk[..<produced])
                if hint != 0 && consumed == source.count && produced == 0 { throw .truncated("lz4 frame") }
            }
        }
        return output
    }
}
